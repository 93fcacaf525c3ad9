from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """What the navigation needs to fit the user's roles, computed once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": frozenset()}
    return {"nav_roles": user.role_names}
