"""Bulk test data for the lab's tests."""

from questions.models import Choice, Question
from tests.factories import ChoiceFactory, QuestionFactory, TagFactory, TopicFactory, UserFactory


def make_questions(count: int) -> None:
    """Published questions, each with a topic, an author, two tags and two choices.

    Built by the factories and written in bulk: Question.save() renders Markdown and records
    history, which would make hundreds of rows slow to set up.
    """
    topic = TopicFactory()
    author = UserFactory()
    tags = [TagFactory(), TagFactory()]
    start = Question.objects.count()
    questions = Question.objects.bulk_create(
        QuestionFactory.build(
            title=f"Question number {start + n}",
            slug=f"lab-question-{start + n}",
            topic=topic,
            author=author,
        )
        for n in range(count)
    )
    Question.tags.through.objects.bulk_create(
        Question.tags.through(question_id=question.pk, tag_id=tag.pk)
        for question in questions
        for tag in tags
    )
    Choice.objects.bulk_create(
        ChoiceFactory.build(question=question, text=f"Option {n}", is_correct=n == 0, position=n)
        for question in questions
        for n in range(2)
    )
