"""Deleting an account and everything that is the user's, across the apps."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from questions.models import QuestionSet, Visibility


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Delete the user and everything that is theirs, all or nothing.

    The database cascades do most of it: practice sessions with their answers and what anyone
    wrote on those answers, review cards, notes, bookmarks, mentorships, assignments given and
    received, comments the user wrote. What is handled here: public question sets the user
    curated stay for everyone (they lose their owner rather than taking other mentors'
    assignments down with them), private ones go with their history, and the log-in records
    django-axes keeps under the user's name or address go too.
    """
    QuestionSet.objects.filter(owner=user, visibility=Visibility.PUBLIC).update(owner=None)
    # Private sets go first, with their change history (it holds their titles and notes).
    # Deleting them records a history row in the name of the person making the request, who
    # is this user: left for the cascade, those rows would point at a user who no longer exists.
    private_sets = QuestionSet.objects.filter(owner=user)
    set_ids = list(private_sets.values_list("pk", flat=True))
    private_sets.delete()
    QuestionSet.history.filter(id__in=set_ids).delete()
    names = Q(username__iexact=user.username) | Q(username__iexact=user.email)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(names).delete()
    user.delete()
