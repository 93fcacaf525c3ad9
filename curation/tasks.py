"""Curation's scheduled task: the item analysis. (Its e-mail is a task too: curation/emails.py.)"""

from django_tasks import task

from curation.analysis import analyse


@task()
def analyse_questions() -> str:
    """Compute and store every question's figures and reasons (curation/analysis.py); return
    what it did. Safe to run twice, or twice at once: each run stores the same figures."""
    return str(analyse())
