"""Fill the database with realistic demo data, fast: `manage.py seed_demo`.

Everything is written in bulk (PostgreSQL's COPY, bulk_create in batches elsewhere), and every
Markdown text is rendered once and reused. Both skip save(), signals and history, so the *_html
fields are filled here with the same renderer Question.save() uses.

The benchmark runs this command on the working tree and on a baseline commit (bench/README.md):
its name and options stay the same.

Seeded users are marked by their e-mail domain (SEED_EMAIL_DOMAIN); the command refuses to run on
a database that holds any other user unless --force.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any, cast

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from psycopg.types.json import Jsonb

from accounts.models import Mentorship, User
from accounts.roles import EDITORS, MENTORS
from demo import content
from mentoring.models import Assignment, FeedbackComment
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
from questions.markdown import highlight_code as _highlight_code
from questions.markdown import render_markdown as _render_markdown
from questions.markdown import render_markdown_list as _render_markdown_list
from questions.models import (
    Choice,
    CodeTest,
    Difficulty,
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

SEED_EMAIL_DOMAIN = "seed.prep.invalid"
SEED_USERNAME_PREFIX = "demo-"


class Renderer:
    """Renders each distinct text once: ten thousand questions share a few hundred texts."""

    def __init__(self) -> None:
        self._markdown: dict[str, str] = {}
        self._code: dict[str, str] = {}
        self._lists: dict[str, str] = {}

    def markdown(self, text: str) -> str:
        if text not in self._markdown:
            self._markdown[text] = _render_markdown(text)
        return self._markdown[text]

    def code(self, text: str) -> str:
        if text not in self._code:
            self._code[text] = _highlight_code(text)
        return self._code[text]

    def lines(self, text: str) -> str:
        if text not in self._lists:
            self._lists[text] = _render_markdown_list(text.splitlines())
        return self._lists[text]

    @property
    def rendered(self) -> int:
        return len(self._markdown) + len(self._code) + len(self._lists)


def copy_into(model: type[models.Model], objects: list[models.Model]) -> None:
    """Write objects with PostgreSQL's COPY: several times faster than INSERT for big tables.

    Primary keys are reserved from the table's sequence first, so the objects come back with
    their ids (later rows point at them) just as bulk_create would leave them. Like
    bulk_create, this skips save() and signals; field values go through the same
    pre_save/get_db_prep_save as an INSERT, so auto_now fields and JSON are filled alike.
    """
    opts = model._meta
    fields = list(opts.concrete_fields)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        missing = [obj for obj in objects if obj.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, len(missing)],
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk
        # Concrete fields all have a column (Field.column is None only on the others).
        columns = ", ".join(quote(cast(str, f.column)) for f in fields)
        statement = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"
        getters = [_copy_value_getter(f) for f in fields]
        with cursor.cursor.copy(statement) as copy:
            for obj in objects:
                copy.write_row([get(obj) for get in getters])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def _copy_value_getter(field: models.Field) -> Callable[[models.Model], Any]:
    """How COPY reads a field from an object: psycopg adapts plain Python values itself.

    Field.get_db_prep_save would do, but costs a connection lookup per value; here it is kept
    for the fields that need it (auto_now timestamps, JSON).
    """
    if isinstance(field, models.JSONField):
        return lambda obj: Jsonb(getattr(obj, field.attname))
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.pre_save(obj, True)
    return attrgetter(field.attname)


@dataclass
class Plan:
    questions: int
    users: int
    answers: int


@dataclass
class Drawn:
    """A session and its items before they are written, with what is written after them:
    the choices picked in each answer and the mentor who comments on it, by item position."""

    session: PracticeSession
    items: list[SessionItem]
    selected: dict[int, list[Choice]] = field(default_factory=dict)
    feedback_from: dict[int, int] = field(default_factory=dict)


@dataclass
class Seeded:
    """What was written, model name -> rows."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, name: str, rows: int) -> None:
        self.counts[name] += rows


class Command(BaseCommand):
    help = (
        "Fill the database with realistic demo data (tracks, topics, tags, questions, users, "
        "mentors, sessions, answers and review cards over the past year) using bulk inserts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--questions", type=int, default=1000, help="questions (default 1000)")
        parser.add_argument("--users", type=int, default=100, help="users (default 100)")
        parser.add_argument(
            "--answers", type=int, default=20000, help="answered session items (default 20000)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--password",
            default="",
            help="give every seeded user this password (default: unusable passwords)",
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="rows per INSERT (default 2000)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even though the database holds users that seed_demo did not create",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        plan = Plan(options["questions"], options["users"], options["answers"])
        if plan.questions < 1 or plan.users < 3 or plan.answers < 0:
            raise CommandError(
                "Need at least 1 question and 3 users (an editor, a mentor and a candidate), "
                "and a number of answers of 0 or more."
            )
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        prefix = self.check_database(force=options["force"])

        started = time.perf_counter()
        generator = Generator(
            plan,
            rng=random.Random(options["seed"]),
            batch_size=options["batch_size"],
            password=options["password"],
            prefix=prefix,
            log=self.log,
        )
        with transaction.atomic():
            generator.run()
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner guesses from empty tables and skips the indexes.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started

        self.stdout.write(self.style.SUCCESS(f"Seeded in {elapsed:.1f} s:"))
        for name, rows in generator.seeded.counts.items():
            self.stdout.write(f"  {name:<22} {rows:>9,}")
        self.stdout.write(f"  (Markdown and code texts rendered: {generator.renderer.rendered})")
        if options["password"]:
            self.stdout.write(
                f"Log in as {generator.first_username('editor')}, "
                f"{generator.first_username('mentor')} or "
                f"{generator.first_username('candidate')} with the password you gave."
            )

    def log(self, message: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(message)

    def check_database(self, *, force: bool) -> str:
        """The prefix for this run's names; raises CommandError on a database with real users
        or earlier seeds, unless forced."""
        real = User.objects.exclude(email__iendswith=f"@{SEED_EMAIL_DOMAIN}").count()
        if real and not force:
            raise CommandError(
                f"This database holds {real} real user{'s' if real != 1 else ''}: seed_demo "
                "adds thousands of rows next to them. Use an empty database, or pass --force "
                "if you really mean it."
            )
        seeded = User.objects.filter(email__iendswith=f"@{SEED_EMAIL_DOMAIN}").count()
        if not seeded:
            return SEED_USERNAME_PREFIX
        if not force:
            raise CommandError(
                f"This database already holds seeded data ({seeded} demo users). Seed an empty "
                "database (for example after `manage.py flush`), or pass --force to add "
                "another batch next to it."
            )
        # Another batch: its own prefix, so that names and slugs cannot clash with earlier ones.
        return f"{SEED_USERNAME_PREFIX}r{seeded}-"


class Generator:
    def __init__(
        self,
        plan: Plan,
        *,
        rng: random.Random,
        batch_size: int,
        password: str,
        prefix: str = SEED_USERNAME_PREFIX,
        log: Callable[[str], None],
    ) -> None:
        self.prefix = prefix
        self.plan = plan
        self.rng = rng
        self.batch_size = batch_size
        self.password = password
        self.log = log
        self.now = timezone.now()
        self.renderer = Renderer()
        self.seeded = Seeded()
        self.usernames: dict[str, list[str]] = defaultdict(list)

    # --- helpers ---------------------------------------------------------------------------

    def insert(self, model: type[models.Model], objects: list) -> list:
        return self._write(model, objects, str(model._meta.verbose_name_plural).capitalize())

    def insert_through(self, through: type[models.Model], name: str, rows: Iterable) -> None:
        self._write(through, list(rows), name)

    def _write(self, model: type[models.Model], objects: list, name: str) -> list:
        if not objects:
            return objects
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            copy_into(model, objects)
        else:
            model._default_manager.bulk_create(objects, batch_size=self.batch_size)
        self.seeded.add(name, len(objects))
        self.log(f"  {name}: {len(objects)} in {time.perf_counter() - started:.2f} s")
        return objects

    def past(self, *, days: int = 365, recent_bias: float = 1.6) -> datetime:
        """A moment in the last `days`, more often recent than not."""
        back = days * (self.rng.random() ** recent_bias)
        return self.now - timedelta(days=back, seconds=self.rng.randrange(3600))

    def first_username(self, role: str) -> str:
        names = self.usernames.get(role) or ["?"]
        return names[0]

    # --- the run -----------------------------------------------------------------------------

    def run(self) -> None:
        started = time.perf_counter()
        self.tracks, self.topics, self.tags_by_topic = self.taxonomy()
        self.editors, self.mentors, self.candidates = self.users()
        self.log(f"users: {time.perf_counter() - started:.1f} s")
        self.questions()
        self.log(f"questions: {time.perf_counter() - started:.1f} s")
        self.mentoring()
        self.log(f"mentoring: {time.perf_counter() - started:.1f} s")
        self.practice()
        self.log(f"practice: {time.perf_counter() - started:.1f} s")

    def taxonomy(self) -> tuple[list[Track], list[tuple[Topic, list[str]]], dict[int, list[Tag]]]:
        tracks = []
        for position, (slug, name) in enumerate(content.TRACKS, start=1):
            track, _ = Track.objects.get_or_create(
                slug=slug, defaults={"name": name, "position": position}
            )
            tracks.append(track)
        topics: list[tuple[Topic, list[str]]] = []
        tags_by_topic: dict[int, list[Tag]] = {}
        for slug, name, position, subjects, tag_slugs in content.TOPICS:
            topic, _ = Topic.objects.get_or_create(
                slug=slug, defaults={"name": name, "position": position}
            )
            topics.append((topic, subjects))
            tags_by_topic[topic.pk] = [
                Tag.objects.get_or_create(slug=tag, defaults={"name": tag})[0] for tag in tag_slugs
            ]
        return tracks, topics, tags_by_topic

    def users(self) -> tuple[list[User], list[User], list[User]]:
        users = self.plan.users
        editor_count = max(1, users // 100)
        mentor_count = max(1, users // 20)
        candidate_count = users - editor_count - mentor_count
        # Hashing is slow by design: hash once and share the hash (or an unusable password).
        password = make_password(self.password or None)
        first_names = ["Alex", "Sam", "Priya", "Chen", "Maria", "Tom", "Aisha", "Luca", "Noor"]
        last_names = ["Smith", "Okafor", "Garcia", "Kowalski", "Tanaka", "Dubois", "Haddad"]

        def build(role: str, count: int) -> list[User]:
            width = len(str(count))
            built = []
            for n in range(1, count + 1):
                username = f"{self.prefix}{role}-{n:0{width}d}"
                self.usernames[role].append(username)
                built.append(
                    User(
                        username=username,
                        email=f"{username}@{SEED_EMAIL_DOMAIN}",
                        password=password,
                        first_name=self.rng.choice(first_names),
                        last_name=self.rng.choice(last_names),
                        is_staff=role == "editor",
                        date_joined=self.past(days=400, recent_bias=1.0),
                        target_track=self.rng.choice(self.tracks),
                        interview_date=(
                            (self.now + timedelta(days=self.rng.randrange(7, 90))).date()
                            if self.rng.random() < 0.4
                            else None
                        ),
                        daily_goal=self.rng.choice([5, 10, 10, 15, 20]),
                    )
                )
            return built

        editors = self.insert(User, build("editor", editor_count))
        mentors = build("mentor", mentor_count)
        self.insert(User, mentors)
        candidates = self.insert(User, build("candidate", candidate_count))
        memberships = User.groups.through
        editors_group = Group.objects.get(name=EDITORS)
        mentors_group = Group.objects.get(name=MENTORS)
        self.insert_through(
            memberships,
            "Role memberships",
            [memberships(user_id=u.pk, group_id=editors_group.pk) for u in editors]
            + [memberships(user_id=u.pk, group_id=mentors_group.pk) for u in mentors],
        )
        return editors, mentors, candidates

    def questions(self) -> None:
        rng = self.rng
        kinds = list(content.KIND_WEIGHTS)
        kind_weights = list(content.KIND_WEIGHTS.values())
        statuses = [Status.PUBLISHED] * 17 + [Status.IN_REVIEW] * 2 + [Status.DRAFT]
        difficulties = [Difficulty.EASY] * 3 + [Difficulty.MEDIUM] * 5 + [Difficulty.HARD] * 2
        questions: list[Question] = []
        code_tests: list[tuple[Question, str]] = []  # a coding question and its tests
        for n in range(1, self.plan.questions + 1):
            topic, subjects = self.topics[(n - 1) % len(self.topics)]
            kind = content.KIND_OF_TOPIC.get(topic.slug) or rng.choices(kinds, kind_weights)[0]
            subject = rng.choice(subjects)
            title = rng.choice(content.TITLE_TEMPLATES[kind]).format(
                s=subject, S=subject[0].upper() + subject[1:]
            ) + rng.choice(content.SETTINGS)
            status = rng.choice(statuses)
            created = self.past(days=730, recent_bias=1.0)
            code = rng.choice(content.CODE)
            prompt = rng.choice(content.PROMPTS[kind]).format(s=subject, code=code[0])
            answer = rng.choice(content.ANSWERS).format(s=subject)
            hints = rng.choice(content.HINTS)
            question = Question(
                title=title[:200],
                slug=f"{self.prefix}{n}-{slugify(title)[:150]}",
                kind=kind,
                difficulty=rng.choice(difficulties),
                status=status,
                topic=topic,
                prompt=prompt,
                prompt_html=self.renderer.markdown(prompt),
                answer=answer,
                answer_html=self.renderer.markdown(answer),
                key_points=rng.choice(content.KEY_POINTS),
                hints=hints,
                hints_html=self.renderer.lines(hints),
                multi_select=kind == Kind.MULTIPLE_CHOICE and rng.random() < 0.25,
                author=rng.choice(self.editors),
                created_at=created,
                published_at=created + timedelta(days=rng.randrange(0, 14))
                if status == Status.PUBLISHED
                else None,
            )
            if kind in (Kind.CODING, Kind.PRACTICAL):
                starter, solution, tests = code
                question.starter_code, question.starter_code_html = (
                    starter,
                    self.renderer.code(starter),
                )
                if kind == Kind.CODING:
                    question.solution_code = solution
                    question.solution_code_html = self.renderer.code(solution)
                    code_tests.append((question, tests))
            questions.append(question)
        self.insert(Question, questions)
        self.insert(
            CodeTest,
            [
                CodeTest(
                    question_id=question.pk,
                    name="the tests",
                    code=tests,
                    code_html=self.renderer.code(tests),
                )
                for question, tests in code_tests
            ],
        )
        self.question_list = questions
        self.published = [q for q in questions if q.status == Status.PUBLISHED]
        if not self.published:  # tiny runs: at least one question to practise
            questions[0].status = Status.PUBLISHED
            questions[0].published_at = questions[0].created_at
            Question.objects.filter(pk=questions[0].pk).update(
                status=Status.PUBLISHED, published_at=questions[0].created_at
            )
            self.published = [questions[0]]

        tracks_through = Question.tracks.through
        tags_through = Question.tags.through
        follow_through = Question.follow_ups.through
        track_rows, tag_rows, follow_rows = [], [], []
        for question in questions:
            for track in rng.sample(self.tracks, rng.randint(1, len(self.tracks))):
                track_rows.append(tracks_through(question_id=question.pk, track_id=track.pk))
            topic_tags = self.tags_by_topic[question.topic_id]
            for tag in rng.sample(topic_tags, rng.randint(1, min(4, len(topic_tags)))):
                tag_rows.append(tags_through(question_id=question.pk, tag_id=tag.pk))
            if rng.random() < 0.2 and len(questions) > 1:
                other = rng.choice(questions)
                if other.pk != question.pk:
                    follow_rows.append(
                        follow_through(from_question_id=question.pk, to_question_id=other.pk)
                    )
        self.insert_through(tracks_through, "Question tracks", track_rows)
        self.insert_through(tags_through, "Question tags", tag_rows)
        self.insert_through(follow_through, "Follow-ups", follow_rows)

        choices: list[Choice] = []
        for question in questions:
            if question.kind != Kind.MULTIPLE_CHOICE:
                continue
            right = [c for c in content.CHOICES if c[1]]
            wrong = [c for c in content.CHOICES if not c[1]]
            picked = rng.sample(right, 2 if question.multi_select else 1) + rng.sample(wrong, 3)
            rng.shuffle(picked)
            for position, (text, correct) in enumerate(picked):
                explanation = content.CHOICE_EXPLANATIONS[correct]
                choices.append(
                    Choice(
                        question_id=question.pk,
                        text=text,
                        text_html=self.renderer.markdown(text),
                        is_correct=correct,
                        explanation=explanation,
                        explanation_html=self.renderer.markdown(explanation),
                        position=position,
                    )
                )
        self.insert(Choice, choices)
        self.choices_by_question: dict[int, list[Choice]] = defaultdict(list)
        for choice in choices:
            self.choices_by_question[choice.question_id].append(choice)

    def mentoring(self) -> None:
        rng = self.rng
        # Public sets curated by editors, private sets built by each mentor.
        sets: list[QuestionSet] = []
        public_count = min(10, max(1, self.plan.questions // 100))
        set_specs = [(rng.choice(self.editors), Visibility.PUBLIC) for _ in range(public_count)]
        for mentor in self.mentors:
            set_specs += [(mentor, Visibility.PRIVATE)] * rng.randint(2, 4)
        for n, (owner, visibility) in enumerate(set_specs, start=1):
            topic, _ = rng.choice(self.topics)
            title = f"{topic.name}: {'warm-up' if n % 2 else 'deep dive'} {n}"
            sets.append(
                QuestionSet(
                    title=title,
                    slug=f"{self.prefix}set-{n}",
                    description=f"Questions on {topic.name.lower()} picked for practice.",
                    owner=owner,
                    visibility=visibility,
                )
            )
        self.insert(QuestionSet, sets)
        self.set_questions: dict[int, list[Question]] = {}
        items = []
        for question_set in sets:
            picked = rng.sample(self.published, min(len(self.published), rng.randint(8, 15)))
            self.set_questions[question_set.pk] = picked
            items += [
                QuestionSetItem(question_set=question_set, question=q, position=position)
                for position, q in enumerate(picked)
            ]
        self.insert(QuestionSetItem, items)
        sets_of_mentor: dict[int, list[QuestionSet]] = defaultdict(list)
        for (owner, visibility), question_set in zip(set_specs, sets, strict=True):
            if visibility == Visibility.PRIVATE:
                sets_of_mentor[owner.pk].append(question_set)

        # About a third of the candidates have a mentor; every mentor has at least one mentee.
        mentorships = []
        pairs: set[tuple[int, int]] = set()
        for index, candidate in enumerate(self.candidates):
            if index < len(self.mentors):
                mentor = self.mentors[index]
            elif rng.random() < 0.3:
                mentor = rng.choice(self.mentors)
            else:
                continue
            if (mentor.pk, candidate.pk) in pairs:
                continue
            pairs.add((mentor.pk, candidate.pk))
            mentorships.append(Mentorship(mentor=mentor, candidate=candidate))
        self.insert(Mentorship, mentorships)

        assignments = []
        for mentorship in mentorships:
            for _ in range(rng.randint(0, 3)):
                question_set = rng.choice(sets_of_mentor[mentorship.mentor.pk])
                due = self.now + timedelta(days=rng.randint(-60, 30), hours=rng.randrange(24))
                assignments.append(
                    Assignment(
                        mentor=mentorship.mentor,
                        candidate=mentorship.candidate,
                        question_set=question_set,
                        due_at=due,
                        note=rng.choice(["", "Work through these before our next call."]),
                        created_at=due - timedelta(days=rng.randint(3, 21)),
                    )
                )
        self.insert(Assignment, assignments)
        self.assignments_of: dict[int, list[Assignment]] = defaultdict(list)
        for assignment in assignments:
            self.assignments_of[assignment.candidate.pk].append(assignment)

    def answer_budgets(self) -> list[int]:
        """Answers per candidate: a few keen candidates answer far more than most."""
        weights = [self.rng.paretovariate(1.5) for _ in self.candidates]
        total = sum(weights)
        budgets = [int(self.plan.answers * w / total) for w in weights]
        for i in range(self.plan.answers - sum(budgets)):
            budgets[i % len(budgets)] += 1
        return budgets

    def practice(self) -> None:
        rng = self.rng
        budgets = self.answer_budgets()
        published = self.published
        cards: dict[tuple[int, int], list] = {}
        bookmarks, notes = [], []
        # Written a slice of candidates at a time, to keep memory flat on big runs.
        pending: list[Drawn] = []
        pending_items = 0

        def flush() -> None:
            nonlocal pending, pending_items
            if not pending:
                return
            self.insert(PracticeSession, [drawn.session for drawn in pending])
            items = []
            for drawn in pending:
                for item in drawn.items:
                    item.session_id = drawn.session.pk
                    items.append(item)
            self.insert(SessionItem, items)
            self.seeded.add("Answers", sum(1 for item in items if item.answered_at is not None))
            selected = SessionItem.selected_choices.through
            self.insert_through(
                selected,
                "Selected choices",
                (
                    selected(sessionitem_id=item.pk, choice_id=choice.pk)
                    for drawn in pending
                    for item in drawn.items
                    for choice in drawn.selected.get(item.position, ())
                ),
            )
            comments = []
            for drawn in pending:
                for item in drawn.items:
                    mentor_id = drawn.feedback_from.get(item.position)
                    if mentor_id is None or item.answered_at is None:
                        continue
                    when = item.answered_at + timedelta(hours=rng.randint(1, 48))
                    comments.append(
                        FeedbackComment(
                            item_id=item.pk,
                            author_id=mentor_id,
                            body=rng.choice(content.FEEDBACK),
                            created_at=when,
                            read_at=when + timedelta(hours=5) if rng.random() < 0.6 else None,
                        )
                    )
                    if rng.random() < 0.4:
                        comments.append(
                            FeedbackComment(
                                item_id=item.pk,
                                author_id=drawn.session.user.pk,
                                body=rng.choice(content.FEEDBACK),
                                created_at=when + timedelta(hours=6),
                            )
                        )
            self.insert(FeedbackComment, comments)
            pending, pending_items = [], 0

        for candidate, budget in zip(self.candidates, budgets, strict=True):
            remaining = budget
            # Assignments first: a started or finished session for most of them.
            for assignment in self.assignments_of.get(candidate.pk, []):
                if remaining <= 0 or rng.random() < 0.25:
                    continue
                questions = self.set_questions[assignment.question_set.pk][:remaining]
                start = min(self.now, assignment.created_at + timedelta(days=rng.randint(0, 3)))
                drawn = self.session(
                    candidate,
                    questions,
                    mode=Mode.STUDY,
                    start=start,
                    answered=len(questions),
                    assignment=assignment,
                )
                for item in drawn.items:
                    if rng.random() < 0.15:
                        drawn.feedback_from[item.position] = assignment.mentor.pk
                pending.append(drawn)
                pending_items += len(drawn.items)
                remaining -= len(questions)
            while remaining > 0:
                size = min(remaining, rng.randint(5, 20), len(published))
                questions = rng.sample(published, size)
                mode = rng.choices(
                    [Mode.STUDY, Mode.QUIZ, Mode.REVIEW, Mode.MOCK, Mode.MISTAKES],
                    [40, 25, 20, 8, 7],
                )[0]
                drawn = self.session(
                    candidate, questions, mode=mode, start=self.past(), answered=size
                )
                pending.append(drawn)
                pending_items += len(drawn.items)
                remaining -= size
            # One in five candidates has a session open, half answered.
            if budget and rng.random() < 0.2:
                size = min(10, len(published))
                questions = rng.sample(published, size)
                drawn = self.session(
                    candidate,
                    questions,
                    mode=Mode.STUDY,
                    start=self.now - timedelta(minutes=rng.randint(5, 600)),
                    answered=0,
                )
                pending.append(drawn)
                pending_items += len(drawn.items)
            for question in rng.sample(published, min(len(published), rng.randint(0, 4))):
                bookmarks.append(
                    Bookmark(user=candidate, question=question, created_at=self.past())
                )
            if rng.random() < 0.3:
                notes.append(
                    Note(
                        user=candidate,
                        question=rng.choice(published),
                        body=rng.choice(content.NOTES),
                    )
                )
            if pending_items >= 20_000:
                self.collect_cards(pending, cards)
                flush()
        self.collect_cards(pending, cards)
        flush()
        self.insert(Bookmark, bookmarks)
        self.insert(Note, notes)
        self.insert(ReviewCard, self.review_cards(cards))

    def session(
        self,
        user: User,
        questions: list[Question],
        *,
        mode: str,
        start: datetime,
        answered: int,
        assignment: Assignment | None = None,
    ) -> Drawn:
        """One session and its items; the first `answered` items are answered."""
        rng = self.rng
        moment = start
        items = []
        selected: dict[int, list[Choice]] = {}
        correct = 0.0
        scored = 0
        for position, question in enumerate(questions):
            item = SessionItem(question=question, position=position)
            options = self.choices_by_question.get(question.pk, [])
            if options:  # multiple choice: shuffled for each candidate, as a real draw does
                item.choice_order = [choice.pk for choice in rng.sample(options, len(options))]
            if position < answered:
                spent = timedelta(seconds=rng.randint(8, 240))
                moment = moment + spent
                item.revealed_at = moment - timedelta(seconds=rng.randint(1, 5))
                item.answered_at = moment
                item.time_spent = spent
                if question.kind == Kind.MULTIPLE_CHOICE and self.choices_by_question.get(
                    question.pk
                ):
                    options = self.choices_by_question[question.pk]
                    right = rng.random() < 0.7
                    selected[position] = (
                        [c for c in options if c.is_correct]
                        if right
                        else [rng.choice([c for c in options if not c.is_correct])]
                    )
                    item.is_correct = right
                    item.score = 1.0 if right else 0.0
                    item.rating = Rating.GOOD if right else Rating.AGAIN
                elif mode == Mode.MOCK:
                    points = len(question.key_point_list)
                    covered = sorted(rng.sample(range(points), rng.randint(0, points)))
                    item.response = rng.choice(content.RESPONSES)
                    item.covered_points = covered
                    item.score = len(covered) / points if points else None
                else:
                    item.rating = rng.choices(
                        [Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY], [15, 20, 50, 15]
                    )[0]
                    item.is_correct = item.rating != Rating.AGAIN
                    item.score = {1: 0.0, 2: 0.5, 3: 0.8, 4: 1.0}[item.rating]
                if item.score is not None:
                    scored += 1
                    correct += item.score
            items.append(item)
        finished = answered == len(questions) and answered > 0
        session = PracticeSession(
            user=user,
            mode=mode,
            filters={"count": len(questions)},
            question_set=assignment.question_set if assignment else None,
            assignment=assignment,
            started_at=start,
            finished_at=moment + timedelta(seconds=5) if finished else None,
            time_limit_minutes=45 if mode == Mode.MOCK else None,
            item_count=len(questions),
            answered_count=answered,
            score=round(correct / scored, 3) if finished and scored else None,
        )
        if answered:
            session.last_activity_at = moment
        return Drawn(session, items, selected)

    @staticmethod
    def collect_cards(pending: list[Drawn], cards: dict) -> None:
        """Fold each answer into the (user, question) card it updates."""
        for drawn in pending:
            session = drawn.session
            if session.mode == Mode.MOCK:
                continue  # mock answers are self-assessed, not scheduled
            for item in drawn.items:
                if item.answered_at is None or item.rating is None:
                    continue
                key = (session.user.pk, item.question.pk)
                card = cards.get(key)
                if card is None:
                    cards[key] = [
                        1,
                        int(item.rating == Rating.AGAIN),
                        item.answered_at,
                        item.rating,
                    ]
                else:
                    card[0] += 1
                    card[1] += int(item.rating == Rating.AGAIN)
                    if item.answered_at > card[2]:
                        card[2], card[3] = item.answered_at, item.rating

    def review_cards(self, cards: dict) -> list[ReviewCard]:
        """An FSRS-like schedule from each card's history (fast, not a replay of FSRS)."""
        rng = self.rng
        built = []
        for (user_id, question_id), (reps, lapses, last_review, last_rating) in cards.items():
            # Most cards fall due in the coming weeks; about one in eight is already due, as
            # for a candidate who keeps up with their reviews (a few days' backlog at most).
            if rng.random() < 0.12:
                due = self.now - timedelta(days=rng.uniform(0, 5))
            else:
                due = self.now + timedelta(days=rng.uniform(0.2, 120) ** rng.uniform(0.6, 1.0))
            due = max(due, last_review + timedelta(minutes=10))
            stability = max(0.1, (due - last_review).total_seconds() / 86400)
            if last_rating == Rating.AGAIN:
                state = CardState.RELEARNING
            elif reps == 1:
                state = CardState.LEARNING
            else:
                state = CardState.REVIEW
            built.append(
                ReviewCard(
                    user_id=user_id,
                    question_id=question_id,
                    state=state,
                    # FSRS keeps a learning step for cards in (re)learning, none in review.
                    step=None if state == CardState.REVIEW else 0,
                    stability=round(stability, 3),
                    difficulty=round(rng.uniform(2.0, 8.5), 3),
                    due=due,
                    last_review=last_review,
                    last_rating=last_rating,
                    reps=reps,
                    lapses=lapses,
                    is_leech=lapses >= ReviewCard.LEECH_LAPSES,
                )
            )
        return built
