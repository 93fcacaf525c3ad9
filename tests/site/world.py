"""One small world with every persona and every object a page of the site needs.

The permission matrix and the query budgets both open every URL of the project, so both need a
candidate with sessions, answers, notes and assignments, a mentor with mentees and sets, an
editor, and a bank to practise on. `World.build(rows)` makes it; `world.add_rows(n)` adds n more
rows to every list a page shows (questions, choices, tags, follow-ups, history, sessions, answers,
review cards, bookmarks, notes, assignments, comments, mentees, sets), hanging off the SAME
objects, so that a page can be measured before and after.

Every object comes from the factories (tests/factories.py). The featured objects (the ones URLs
point at) are created one by one, so they look exactly as the app makes them; the rows that
add_rows() adds are built by the factories and written with bulk_create: Question.save() renders
Markdown and records history, which would make thirty rows of everything slow to set up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Mentorship, User
from accounts.roles import MENTORS
from accounts.tokens import confirmation_token_generator, make_resend_token
from background.models import BackgroundTask
from curation.models import ProblemReport, QuestionStatistics, Reason
from mentoring.models import Assignment, FeedbackComment
from mentoring.services import make_invite_token
from practice.models import (
    Bookmark,
    CardState,
    Mode,
    Note,
    PracticeSession,
    Rating,
    ReviewCard,
    SessionItem,
)
from questions.models import (
    Choice,
    Kind,
    Question,
    QuestionSet,
    QuestionSetItem,
    Status,
    Tag,
    Topic,
    Track,
    Visibility,
)
from tests.factories import (
    AssignmentFactory,
    BookmarkFactory,
    ChoiceFactory,
    CodeTestFactory,
    EditorFactory,
    FeedbackCommentFactory,
    MentorFactory,
    MentorshipFactory,
    NoteFactory,
    PracticeSessionFactory,
    ProblemReportFactory,
    QuestionFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    QuestionStatisticsFactory,
    ReviewCardFactory,
    SessionItemFactory,
    TagFactory,
    TopicFactory,
    TrackFactory,
    UserFactory,
)

PERSONAS = ("visitor", "candidate", "other_candidate", "mentor", "other_mentor", "editor")
# The search a mentor runs in the set builder: it matches every question the world makes.
SEARCH_TERM = "question"


@dataclass
class World:
    # personas (the visitor is nobody)
    candidate: User
    other_candidate: User
    mentor: User  # mentors the candidate
    other_mentor: User  # mentors other_candidate, not the candidate
    editor: User
    inviter: User  # a mentor whose invite link everyone is sent
    unconfirmed: User  # signed up, address not confirmed yet: the confirmation link's account
    # the bank
    question: Question  # published, multiple choice: the question page, bookmarks, notes
    concept: Question  # published concept question
    draft: Question
    public_set: QuestionSet
    # the candidate's practice
    study_session: PracticeSession  # unfinished study session: reveal, grade, finish
    study_item: SessionItem
    code_session: PracticeSession  # unfinished study session on a coding question: Submit
    code_item: SessionItem
    quiz_session: PracticeSession
    quiz_item: SessionItem
    mock_session: PracticeSession
    mock_item: SessionItem
    assess_session: PracticeSession  # a mock interview whose answering is over: to be scored
    assess_item: SessionItem
    # mentoring
    mentorship: Mentorship  # mentor -> candidate
    mentor_set: QuestionSet  # the mentor's private set, assigned to the candidate
    mentor_set_item: QuestionSetItem
    spare_set: QuestionSet  # the mentor's set that nobody was assigned: deletable
    assignment: Assignment  # done: assigned_session is its finished session
    open_assignment: Assignment  # not started: start, withdraw
    assigned_session: PracticeSession  # finished, with feedback: the summary, mistakes
    thread_item: SessionItem  # an answer in assigned_session with a feedback thread
    other_session: PracticeSession  # other_candidate's own session
    # curation
    problem_report: ProblemReport  # the candidate's open report on the concept question
    rows: int = 0

    def user(self, persona: str) -> User | None:
        return None if persona == "visitor" else getattr(self, persona)

    @property
    def invite_token(self) -> str:
        return make_invite_token(self.inviter)

    @property
    def password_reset_kwargs(self) -> dict:
        """A valid password-reset link for the candidate. The token hashes last_login, which
        force_login changes on the Python object and a rolled-back test restores in the
        database: so it is made from the row as it is now."""
        candidate = User.objects.get(pk=self.candidate.pk)
        return {
            "uidb64": urlsafe_base64_encode(force_bytes(candidate.pk)),
            "token": default_token_generator.make_token(candidate),
        }

    @property
    def confirm_signup_kwargs(self) -> dict:
        """A valid confirmation link for the unconfirmed account, made from its row as it is
        now (the token hashes its state)."""
        unconfirmed = User.objects.get(pk=self.unconfirmed.pk)
        return {
            "uidb64": urlsafe_base64_encode(force_bytes(unconfirmed.pk)),
            "token": confirmation_token_generator.make_token(unconfirmed),
        }

    @property
    def resend_token(self) -> str:
        """What the log-in form offers the unconfirmed account's owner: a new link."""
        return make_resend_token(self.unconfirmed)

    # --- building -------------------------------------------------------------------------------

    @classmethod
    def build(cls, rows: int = 1) -> World:
        now = timezone.now()
        candidate = UserFactory(username="casey", email="casey@example.com")
        other_candidate = UserFactory(username="olivia", email="olivia@example.com")
        mentor = MentorFactory(username="morgan", email="morgan@example.com")
        other_mentor = MentorFactory(username="sam", email="sam@example.com")
        editor = EditorFactory(username="edie", email="edie@example.com")
        inviter = MentorFactory(username="ines", email="ines@example.com")
        unconfirmed = UserFactory(
            username="una", email="una@example.com", is_active=False, awaiting_confirmation=True
        )

        topic = TopicFactory(slug="fundamentals", name="Fundamentals", position=0)
        track = TrackFactory(slug="backend-web", name="Backend web")
        tag = TagFactory(slug="orm", name="orm")
        question = QuestionFactory(
            title="Featured question about lists",
            slug="featured-question",
            kind=Kind.MULTIPLE_CHOICE,
            topic=topic,
            tracks=[track],
            tags=[tag],
            author=editor,
        )
        correct = ChoiceFactory(question=question, text="Right", is_correct=True, position=0)
        wrong = ChoiceFactory(question=question, text="Wrong", is_correct=False, position=1)
        concept = QuestionFactory(
            title="Concept question about generators", slug="concept-question", topic=topic
        )
        draft = QuestionFactory(
            title="Draft question", slug="draft-question", topic=topic, status=Status.DRAFT
        )
        public_set = QuestionSetFactory(title="Warm-up", slug="warm-up", owner=editor)
        QuestionSetItemFactory.create(question_set=public_set, question=question, position=0)

        # The candidate's practice: one session of each kind in progress, one item each.
        def session(user, mode, **kwargs):
            return PracticeSessionFactory.create(
                user=user, mode=mode, started_at=now, item_count=1, **kwargs
            )

        study_session = session(candidate, Mode.STUDY)
        study_item = SessionItemFactory.create(session=study_session, question=concept, position=1)
        quiz_session = session(candidate, Mode.QUIZ)
        quiz_item = SessionItemFactory.create(session=quiz_session, question=question, position=1)
        mock_session = session(candidate, Mode.MOCK, time_limit_minutes=45)
        mock_item = SessionItemFactory.create(session=mock_session, question=concept, position=1)
        assess_session = session(
            candidate, Mode.MOCK, time_limit_minutes=45, closed_at=now, answered_count=1
        )
        assess_item = SessionItemFactory.create(
            session=assess_session,
            question=concept,
            position=1,
            response="I would add an index.",
            answered_at=now,
        )
        coding = QuestionFactory(
            title="Coding question: add two numbers",
            slug="coding-question",
            kind=Kind.CODING,
            topic=topic,
            starter_code="def add(a, b):\n    pass",
            solution_code="def add(a, b):\n    return a + b",
        )
        for position, (name, hidden) in enumerate([("adds", False), ("adds zero", True)]):
            CodeTestFactory.create(
                question=coding,
                name=name,
                code="assert add(1, 2) == 3",
                is_hidden=hidden,
                position=position,
            )
        code_session = session(candidate, Mode.STUDY)
        code_item = SessionItemFactory.create(session=code_session, question=coding, position=1)
        other_session = session(other_candidate, Mode.STUDY)
        SessionItemFactory.create(session=other_session, question=concept, position=1)

        # Mentoring: the mentor mentors the candidate, the other mentor the other candidate.
        mentorship = MentorshipFactory.create(mentor=mentor, candidate=candidate)
        MentorshipFactory.create(mentor=other_mentor, candidate=other_candidate)
        mentor_set = QuestionSetFactory(
            title="Before the on-site",
            slug="before-the-on-site",
            owner=mentor,
            visibility=Visibility.PRIVATE,
        )
        mentor_set_item = QuestionSetItemFactory.create(
            question_set=mentor_set, question=concept, position=0
        )
        spare_set = QuestionSetFactory(
            title="Spare", slug="spare", owner=mentor, visibility=Visibility.PRIVATE
        )
        QuestionSetItemFactory.create(question_set=spare_set, question=concept, position=0)
        other_set = QuestionSetFactory(owner=other_mentor, visibility=Visibility.PRIVATE)
        QuestionSetItemFactory.create(question_set=other_set, question=concept, position=0)
        due = now + timedelta(days=7)
        assignment = AssignmentFactory.create(
            mentor=mentor, candidate=candidate, question_set=mentor_set, due_at=due
        )
        open_assignment = AssignmentFactory.create(
            mentor=mentor, candidate=candidate, question_set=mentor_set, due_at=due
        )
        AssignmentFactory.create(
            mentor=other_mentor, candidate=other_candidate, question_set=other_set, due_at=due
        )
        assigned_session = session(
            candidate,
            Mode.STUDY,
            assignment=assignment,
            question_set=mentor_set,
            finished_at=now,
            answered_count=1,
            score=0.0,
        )
        thread_item = SessionItemFactory.create(
            session=assigned_session,
            question=concept,
            position=1,
            response="Generators yield lazily.",
            rating=Rating.AGAIN,
            is_correct=False,
            score=0.0,
            revealed_at=now,
            answered_at=now,
            time_spent=timedelta(seconds=90),
        )
        FeedbackCommentFactory.create(item=thread_item, author=mentor, body="Say more.")
        # A multiple-choice answer in the finished session, so the summary shows choices too.
        answered = SessionItemFactory.create(
            session=assigned_session,
            question=question,
            position=2,
            is_correct=True,
            score=1.0,
            answered_at=now,
            time_spent=timedelta(seconds=30),
        )
        answered.selected_choices.add(correct)
        PracticeSession.objects.filter(pk=assigned_session.pk).update(
            item_count=2, answered_count=2
        )

        # Curation: the featured question's figures (a reason to edit it, its choices picked),
        # the candidate's open report on the concept question and an answered one on the
        # featured question (the dashboard shows its reply).
        QuestionStatisticsFactory.create(
            question=question,
            computed_at=now,
            attempts=40,
            facility=0.97,
            discrimination_index=12.0,
            discriminative_efficiency=20.0,
            median_seconds=35.0,
            choice_picks=[
                {"id": correct.pk, "label": "A", "text": "Right", "is_correct": True, "picks": 39},
                {
                    "id": wrong.pk,
                    "label": "B",
                    "text": "Wrong",
                    "is_correct": False,
                    "picks": 1,
                },
            ],
            reasons=[{"code": Reason.TOO_EASY, "text": "Facility 97% over 40 first attempts."}],
            reason_count=1,
        )
        problem_report = ProblemReportFactory.create(
            question=concept, reporter=candidate, problem="unclear", comment="Which generator?"
        )
        ProblemReportFactory.create(
            question=question,
            reporter=candidate,
            problem="typo",
            resolved_at=now,
            resolved_by=editor,
            reply="Fixed, thank you.",
        )

        world = cls(
            candidate=candidate,
            other_candidate=other_candidate,
            mentor=mentor,
            other_mentor=other_mentor,
            editor=editor,
            inviter=inviter,
            unconfirmed=unconfirmed,
            question=question,
            concept=concept,
            draft=draft,
            public_set=public_set,
            study_session=study_session,
            study_item=study_item,
            code_session=code_session,
            code_item=code_item,
            quiz_session=quiz_session,
            quiz_item=quiz_item,
            mock_session=mock_session,
            mock_item=mock_item,
            assess_session=assess_session,
            assess_item=assess_item,
            mentorship=mentorship,
            mentor_set=mentor_set,
            mentor_set_item=mentor_set_item,
            spare_set=spare_set,
            assignment=assignment,
            open_assignment=open_assignment,
            assigned_session=assigned_session,
            thread_item=thread_item,
            other_session=other_session,
            problem_report=problem_report,
        )
        world.add_rows(rows)
        return world

    def add_rows(self, count: int) -> None:
        """`count` more rows in every list a page of the site shows."""
        if count <= 0:
            return
        start, self.rows = self.rows, self.rows + count
        indexes = range(start, start + count)
        now = timezone.now()
        questions = self._add_bank(indexes, now)
        self._add_practice(indexes, questions, now)
        self._add_mentoring(indexes, questions, now)
        self._add_curation(indexes, questions, now)
        self._add_tasks(indexes, now)

    def _add_bank(self, indexes: range, now) -> list[Question]:
        topics = Topic.objects.bulk_create(
            TopicFactory.build(slug=f"topic-{i}", name=f"Topic {i}", position=i + 1)
            for i in indexes
        )
        tracks = Track.objects.bulk_create(
            TrackFactory.build(slug=f"track-{i}", name=f"Track {i}", position=i + 1)
            for i in indexes
        )
        tags = Tag.objects.bulk_create(
            TagFactory.build(slug=f"tag-{i}", name=f"tag {i}") for i in indexes
        )

        def question(i, kind, topic, status=Status.PUBLISHED):
            return QuestionFactory.build(
                title=f"{kind.label} question {i}",
                slug=f"{kind.value}-question-{i}",
                kind=kind,
                status=status,
                topic=topic,
                author=self.editor,
                prompt=f"Explain case {i}.",
                prompt_html=f"<p>Explain case {i}.</p>",
                answer="A strong answer names the idea and the trade-off.",
                answer_html="<p>A strong answer names the idea and the trade-off.</p>",
                key_points="Names the idea\nGives an example\nStates the trade-off",
                published_at=now if status == Status.PUBLISHED else None,
            )

        rows = list(zip(indexes, topics, strict=True))
        concepts = Question.objects.bulk_create(question(i, Kind.CONCEPT, t) for i, t in rows)
        quizzes = Question.objects.bulk_create(
            question(i, Kind.MULTIPLE_CHOICE, t) for i, t in rows
        )
        Question.objects.bulk_create(question(i, Kind.CODING, t, Status.DRAFT) for i, t in rows)
        Choice.objects.bulk_create(
            ChoiceFactory.build(
                question=quiz,
                text=f"Option {n}",
                text_html=f"<p>Option {n}</p>",
                explanation="Because.",
                explanation_html="<p>Because.</p>",
                is_correct=n == 0,
                position=n,
            )
            for quiz in quizzes
            for n in range(3)
        )
        Tags, Tracks = Question.tags.through, Question.tracks.through
        Tags.objects.bulk_create(
            Tags(question_id=q.pk, tag_id=tag.pk)
            for q, tag in [*zip(concepts, tags, strict=True), *zip(quizzes, tags, strict=True)]
        )
        Tracks.objects.bulk_create(
            Tracks(question_id=q.pk, track_id=track.pk)
            for q, track in zip(concepts, tracks, strict=True)
        )
        # The featured question grows too: tags, tracks, follow-ups, choices and history.
        featured = self.question
        Tags.objects.bulk_create(Tags(question_id=featured.pk, tag_id=tag.pk) for tag in tags)
        Tracks.objects.bulk_create(
            Tracks(question_id=featured.pk, track_id=track.pk) for track in tracks
        )
        FollowUps = Question.follow_ups.through
        FollowUps.objects.bulk_create(
            FollowUps(from_question_id=featured.pk, to_question_id=q.pk) for q in concepts
        )
        Choice.objects.bulk_create(
            ChoiceFactory.build(
                question=featured,
                text=f"Also wrong {i}",
                text_html=f"<p>Also wrong {i}</p>",
                explanation="No.",
                explanation_html="<p>No.</p>",
                position=i + 2,
            )
            for i in self._indexes_of(concepts)
        )
        latest = featured.history.order_by("-history_date").first()
        History = Question.history.model
        History.objects.bulk_create(
            History(
                **{
                    field.attname: getattr(latest, field.attname)
                    for field in History._meta.concrete_fields
                    if field.attname != "history_id"
                }
                | {"history_date": now + timedelta(seconds=n + 1), "history_type": "~"}
            )
            for n in self._indexes_of(concepts)
        )
        # Public sets: more of them, and more questions in the featured one.
        public_sets = QuestionSet.objects.bulk_create(
            QuestionSetFactory.build(
                title=f"Public set {i}",
                slug=f"public-set-{i}",
                owner=self.editor,
                visibility=Visibility.PUBLIC,
            )
            for i in self._indexes_of(concepts)
        )
        QuestionSetItem.objects.bulk_create(
            [
                *(
                    QuestionSetItemFactory.build(question_set=s, question=q, position=0)
                    for s, q in zip(public_sets, concepts, strict=True)
                ),
                *(
                    QuestionSetItemFactory.build(
                        question_set=self.public_set, question=q, position=q.pk
                    )
                    for q in concepts
                ),
            ]
        )
        return concepts + quizzes

    def _indexes_of(self, questions: list[Question]) -> range:
        return range(self.rows - len(questions), self.rows)

    def _add_practice(self, indexes: range, questions: list[Question], now) -> None:
        candidate = self.candidate
        count = len(indexes)
        concepts, quizzes = questions[:count], questions[count:]
        # Review cards (a third of them leeches, half due now) for the dashboard and review.
        ReviewCard.objects.bulk_create(
            ReviewCardFactory.build(
                user=candidate,
                question=q,
                state=CardState.REVIEW,
                stability=5.0 + n,
                difficulty=5.0,
                due=now - timedelta(hours=1) if n % 2 else now + timedelta(days=n),
                last_review=now - timedelta(days=n + 1),
                last_rating=Rating.AGAIN if n % 3 == 0 else Rating.GOOD,
                reps=3,
                lapses=9 if n % 3 == 0 else 0,
                is_leech=n % 3 == 0,
            )
            for n, q in enumerate(questions)
        )
        # Finished sessions over the past weeks, one answer each (history, heatmap, streak).
        finished = PracticeSession.objects.bulk_create(
            PracticeSessionFactory.build(
                user=candidate,
                mode=Mode.QUIZ if i % 2 else Mode.STUDY,
                started_at=now - timedelta(days=i + 1),
                finished_at=now - timedelta(days=i + 1),
                item_count=1,
                answered_count=1,
                score=1.0,
            )
            for i in indexes
        )
        SessionItem.objects.bulk_create(
            SessionItemFactory.build(
                session=s,
                question=q,
                position=1,
                rating=Rating.GOOD,
                is_correct=True,
                score=1.0,
                revealed_at=s.started_at,
                answered_at=s.started_at,
                time_spent=timedelta(seconds=40),
            )
            for s, q in zip(finished, concepts, strict=True)
        )
        # The featured sessions get longer.
        position = 2 + indexes.start
        SessionItem.objects.bulk_create(
            [
                *(
                    SessionItemFactory.build(
                        session=self.study_session, question=q, position=position + n
                    )
                    for n, q in enumerate(concepts)
                ),
                *(
                    SessionItemFactory.build(
                        session=self.quiz_session, question=q, position=position + n
                    )
                    for n, q in enumerate(quizzes)
                ),
                *(
                    SessionItemFactory.build(
                        session=self.mock_session, question=q, position=position + n
                    )
                    for n, q in enumerate(concepts)
                ),
            ]
        )
        PracticeSession.objects.filter(
            pk__in=[self.study_session.pk, self.quiz_session.pk, self.mock_session.pk]
        ).update(item_count=1 + self.rows)
        # Bookmarks and notes.
        Bookmark.objects.bulk_create(
            BookmarkFactory.build(user=candidate, question=q) for q in questions
        )
        Note.objects.bulk_create(
            NoteFactory.build(user=candidate, question=q, body=f"Note on {q.title}.")
            for q in concepts
        )

    def _add_mentoring(self, indexes: range, questions: list[Question], now) -> None:
        candidate, mentor = self.candidate, self.mentor
        count = len(indexes)
        concepts = questions[:count]
        # More answers in the finished assignment session, each with a two-comment thread;
        # and the featured thread gets longer.
        position = 3 + indexes.start
        answers = SessionItem.objects.bulk_create(
            SessionItemFactory.build(
                session=self.assigned_session,
                question=q,
                position=position + n,
                response=f"My answer {n}",
                rating=Rating.AGAIN if n % 2 else Rating.GOOD,
                is_correct=not n % 2,
                score=0.0 if n % 2 else 1.0,
                revealed_at=now,
                answered_at=now,
                time_spent=timedelta(seconds=60),
            )
            for n, q in enumerate(concepts)
        )
        PracticeSession.objects.filter(pk=self.assigned_session.pk).update(
            item_count=2 + self.rows, answered_count=2 + self.rows
        )
        FeedbackComment.objects.bulk_create(
            [
                *(
                    FeedbackCommentFactory.build(
                        item=item, author=author, body=f"Comment by {author}"
                    )
                    for item in answers
                    for author in (mentor, candidate)
                ),
                *(
                    FeedbackCommentFactory.build(
                        item=self.thread_item,
                        author=mentor if i % 2 else candidate,
                        body=f"Reply {i}",
                        created_at=now + timedelta(seconds=i),
                    )
                    for i in indexes
                ),
            ]
        )
        # The mentor's sets: one per row, each assigned to the candidate; the featured set
        # gets longer.
        sets = QuestionSet.objects.bulk_create(
            QuestionSetFactory.build(
                title=f"Mentor set {i}",
                slug=f"mentor-set-{i}",
                owner=mentor,
                visibility=Visibility.PRIVATE,
            )
            for i in indexes
        )
        QuestionSetItem.objects.bulk_create(
            [
                *(
                    QuestionSetItemFactory.build(question_set=s, question=q, position=0)
                    for s, q in zip(sets, concepts, strict=True)
                ),
                *(
                    QuestionSetItemFactory.build(
                        question_set=self.mentor_set, question=q, position=1 + i
                    )
                    for i, q in zip(indexes, concepts, strict=True)
                ),
            ]
        )
        # New mentees, each with an assignment, a review card and a finished session; and
        # more mentors for the candidate (the profile lists them).
        users = User.objects.bulk_create(
            [
                *(UserFactory.build(username=f"mentee{i}") for i in indexes),
                *(UserFactory.build(username=f"coach{i}") for i in indexes),
            ]
        )
        mentees, coaches = users[:count], users[count:]
        mentors_group = Group.objects.get(name=MENTORS)
        mentors_group.user_set.add(*coaches)
        Mentorship.objects.bulk_create(
            [
                *(MentorshipFactory.build(mentor=mentor, candidate=mentee) for mentee in mentees),
                *(MentorshipFactory.build(mentor=coach, candidate=candidate) for coach in coaches),
            ]
        )
        due = [now + timedelta(days=i - count // 2) for i in range(count)]  # some overdue
        assignments = Assignment.objects.bulk_create(
            [
                *(
                    AssignmentFactory.build(
                        mentor=mentor, candidate=candidate, question_set=s, due_at=d
                    )
                    for s, d in zip(sets, due, strict=True)
                ),
                *(
                    AssignmentFactory.build(mentor=mentor, candidate=m, question_set=s, due_at=d)
                    for m, s, d in zip(mentees, sets, due, strict=True)
                ),
            ]
        )
        mentee_sessions = PracticeSession.objects.bulk_create(
            PracticeSessionFactory.build(
                user=a.candidate,
                mode=Mode.STUDY,
                assignment=a,
                question_set=a.question_set,
                started_at=now - timedelta(days=1),
                finished_at=now - timedelta(days=1) if n % 2 else None,
                item_count=1,
                answered_count=1,
                score=0.5 if n % 2 else None,
            )
            for n, a in enumerate(assignments)
        )
        SessionItem.objects.bulk_create(
            SessionItemFactory.build(
                session=s,
                question=concepts[n % count],
                position=1,
                rating=Rating.GOOD,
                answered_at=s.started_at,
                time_spent=timedelta(seconds=50),
            )
            for n, s in enumerate(mentee_sessions)
        )
        ReviewCard.objects.bulk_create(
            ReviewCardFactory.build(
                user=mentee,
                question=q,
                state=CardState.REVIEW,
                stability=4.0,
                difficulty=5.0,
                due=now,
                last_review=now - timedelta(days=2),
                last_rating=Rating.GOOD,
                reps=2,
            )
            for mentee, q in zip(mentees, concepts, strict=True)
        )

    def _add_curation(self, indexes: range, questions: list[Question], now) -> None:
        """Figures for the new questions (some with reasons: the queue), the candidate's
        reports on them (open and answered: the dashboard), and more reporters of the featured
        question and the concept question (its change page, the queue)."""
        count = len(indexes)
        QuestionStatistics.objects.bulk_create(
            QuestionStatisticsFactory.build(
                question=q,
                computed_at=now,
                attempts=30 + n,
                facility=0.5,
                discrimination_index=-5.0 if n % 2 else 30.0,
                discriminative_efficiency=-8.0 if n % 2 else 45.0,
                median_seconds=40.0,
                grade_counts=[n, 1, 2, 3],
                reasons=[{"code": Reason.NEGATIVE_DISCRIMINATION, "text": "DI -5%."}]
                if n % 2
                else [],
                reason_count=n % 2,
            )
            for n, q in enumerate(questions)
        )
        reporters = User.objects.bulk_create(
            UserFactory.build(username=f"reporter{i}") for i in indexes
        )
        concepts = questions[:count]
        ProblemReport.objects.bulk_create(
            [
                *(
                    ProblemReportFactory.build(
                        question=q,
                        reporter=self.candidate,
                        problem="typo",
                        comment=f"Typo {n}",
                        resolved_at=now if n % 2 else None,
                        resolved_by=self.editor if n % 2 else None,
                        reply=f"Fixed {n}." if n % 2 else "",
                    )
                    for n, q in enumerate(concepts)
                ),
                *(
                    ProblemReportFactory.build(
                        question=q, reporter=r, problem="unclear", comment="Unclear."
                    )
                    for r in reporters
                    for q in (self.question, self.problem_report.question)
                ),
            ]
        )

    def _add_tasks(self, indexes: range, now) -> None:
        """Background tasks as the admin lists them: e-mails done, waiting to retry and failed."""
        states = [("SUCCESSFUL", 1), ("READY", 2), ("FAILED", 6)]
        BackgroundTask.objects.bulk_create(
            BackgroundTask(
                status=states[i % 3][0],
                worker_ids=["w"] * states[i % 3][1],
                task_path="accounts.emails.email_confirmation_link",
                backend_name="default",
                args_kwargs={"args": [], "kwargs": {"user_id": i}},
                run_after=now,
                started_at=now,
                exception_class_path="" if i % 3 == 0 else "smtplib.SMTPServerDisconnected",
            )
            for i in indexes
        )
