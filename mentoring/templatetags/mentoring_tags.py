from datetime import datetime, timedelta

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()

# An id no answer has yet, reversed once and then replaced by the real one.
_ID_PLACEHOLDER = 2_147_483_647
_PATTERN_KEY = "mentoring:thread_url"


@register.simple_tag(takes_context=True)
def thread_url(context, item) -> str:
    """The URL of the feedback thread on `item`: reverse() once per page render, then the id put
    in its place ({% url %} in every answer's thread was a tenth of the mentee page's render).
    Kept in the render context's outermost layer: each {% include %} of the thread pushes a
    layer of its own, which would forget it after every answer."""
    cache = context.render_context.dicts[0]
    pattern = cache.get(_PATTERN_KEY)
    if pattern is None:
        pattern = cache[_PATTERN_KEY] = reverse("mentoring:thread", args=[_ID_PLACEHOLDER])
    return pattern.replace(str(_ID_PLACEHOLDER), str(item.pk))


@register.filter
def ago(value: datetime | None) -> str:
    """'just now' under a minute (timesince would say '0 minutes'), else '3 hours ago'; empty
    for None."""
    if value is None:
        return ""
    if timezone.now() - value < timedelta(minutes=1):
        return "just now"
    return f"{timesince(value)} ago"


@register.filter
def short_duration(value: timedelta | None) -> str:
    """'45 s', '2 min 05 s', '1 h 03 min'; empty for None."""
    if value is None:
        return ""
    seconds = max(0, int(value.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
