from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def navigation(request: HttpRequest) -> dict:
    """What the navigation needs to fit the user's roles: the role names, read (one query) only
    when a template asks, so htmx fragments, which show no navigation, never pay for them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": frozenset()}
    return {"nav_roles": SimpleLazyObject(lambda: user.role_names)}
