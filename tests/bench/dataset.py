"""Realistic rows for one user: applications and what followed them (stage changes,
interviews, outcomes, feedback conversations, reflections) and contacts, as plain dicts keyed
by column name, valid for the API's models, enums and guidance keys.

Deterministic for a given random generator. Every row's `change_seq` follows its
`updated_at` order, and `User.change_seq` is the last number handed out, as the app keeps it.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.guidance import catalogue
from app.outcomes.models import STAGE_AFTER

# The catalogues' keys, in a stable order (the data draws from them with a seeded generator).
REASON_KEYS = sorted(catalogue.REASON_KEYS)
FEEDBACK_QUESTION_KEYS = sorted(catalogue.FEEDBACK_QUESTION_KEYS)
REFLECTION_PROMPT_KEYS = sorted(catalogue.REFLECTION_PROMPT_KEYS)

Row = dict[str, Any]

# Insert order: every table after the tables it references.
TABLES = (
    "users",
    "applications",
    "contacts",
    "interviews",
    "outcomes",
    "stage_changes",  # after outcomes: an entry may cite the outcome that moved it
    "feedback_conversations",
    "reflections",
)
HISTORY_DAYS = 730

COMPANIES = (
    "Globex",
    "Initech",
    "Umbrella Health",
    "Hooli",
    "Stark Logistics",
    "Wayne Analytics",
    "Acme Robotics",
    "Tyrell Systems",
    "Cyberdyne Labs",
    "Soylent Foods",
    "Vandelay Industries",
    "Wonka Confections",
    "Gringotts Bank",
    "Oscorp",
    "Massive Dynamic",
    "Pied Piper",
    "Aperture Science",
    "Black Mesa",
    "Monarch Solutions",
    "Nakatomi Trading",
    "Dunder Mifflin",
    "Sterling Cooper",
    "Prestige Worldwide",
    "Bluth Company",
    "Krusty Foods",
    "Blue Sun",
    "Weyland Yutani",
    "Virtucon",
    "Gekko & Co",
    "Ollivanders",
    "Bushwood Ventures",
    "Zorg Energy",
)
ROLES = (
    "Backend engineer",
    "Senior backend engineer",
    "Platform engineer",
    "Data engineer",
    "Site reliability engineer",
    "Engineering manager",
    "Product manager",
    "Data analyst",
    "Frontend engineer",
    "Full-stack developer",
    "Machine learning engineer",
    "QA engineer",
    "Solutions architect",
    "Technical writer",
    "Product designer",
    "Staff engineer",
)
CITIES = (
    "Berlin",
    "Munich",
    "Hamburg",
    "Amsterdam",
    "London",
    "Paris",
    "Lisbon",
    "Barcelona",
    "Vienna",
    "Zurich",
    "Copenhagen",
    "Stockholm",
    "Dublin",
    "Warsaw",
    "Prague",
    "Remote (EU)",
)
TAGS = (
    "python",
    "go",
    "remote",
    "hybrid",
    "startup",
    "scale-up",
    "fintech",
    "health",
    "climate",
    "berlin",
    "visa",
    "senior",
    "lead",
    "platform",
    "data",
    "b2b",
    "dream-job",
    "backup",
)
FIRST_NAMES = (
    "Dana",
    "Sam",
    "Alex",
    "Priya",
    "Jonas",
    "Mia",
    "Tomás",
    "Aisha",
    "Lukas",
    "Chen",
    "Sofia",
    "Noah",
    "Fatima",
    "Oliver",
    "Yuki",
    "Emma",
    "Mateo",
    "Leila",
    "Erik",
    "Nadia",
)
LAST_NAMES = (
    "Park",
    "Okafor",
    "Schmidt",
    "Rossi",
    "Nguyen",
    "Kowalski",
    "García",
    "Haddad",
    "Jensen",
    "Tanaka",
    "Müller",
    "Silva",
    "Ahmed",
    "Novak",
    "Dubois",
    "Larsen",
    "Moreau",
    "Costa",
)
INTERVIEWER_ROLES = (
    "Recruiter",
    "Hiring manager",
    "Staff engineer",
    "Engineering manager",
    "Team lead",
    "Product manager",
    "Head of engineering",
    "Senior engineer",
)
TIMEZONES = ("Europe/Berlin", "Europe/London", "Europe/Paris", "America/New_York", "UTC")
NOTES = (
    "Found it through a friend of a friend; the team works on the billing platform.",
    "Strong engineering blog. Asked about on-call rotation and team size in the screen.",
    "Salary range given by the recruiter on the first call. Four interview rounds planned.",
    "The job ad mentions Kubernetes and Terraform; brush up on both before the technical round.",
    "Met the hiring manager at a meetup. They are rebuilding their data pipeline this year.",
    "Fully remote, two offsites a year. The take-home exercise is capped at four hours.",
)
INTERVIEW_NOTES = (
    "System design: a rate limiter. Ran out of time on the failure modes.",
    "Live coding on a shared editor; talked through tests first, which they liked.",
    "Behavioural questions about conflict in a team and a project that failed.",
    "Walked through my CV; they asked a lot about the migration project.",
    "Pair programming on a small bug in their code base; friendly and relaxed.",
    "Panel of three; the product manager asked how I prioritise technical debt.",
)
STATED_REASONS = (
    "We went with a candidate with more Kubernetes experience.",
    "The role has been put on hold until the next budget cycle.",
    "We were looking for someone with more experience leading a team.",
    "Another candidate was a closer match to what the team needs right now.",
    "We felt the technical depth was not quite there for this level.",
)
ANSWERS = (
    "Practise system design out loud and state the trade-offs before going into detail.",
    "They chose someone who had run the same migration at a previous company.",
    "The role was closer to platform work than the ad made it sound.",
    "Senior roles in smaller teams would suit my profile better.",
    "Talk to the data platform team; they are hiring next quarter.",
    "I kept my answers too short; more concrete examples with numbers would help.",
    "I was nervous in the first ten minutes and it showed in the coding part.",
)
TAKEAWAYS = (
    "Prepare two system design stories with numbers; ask for the format in advance.",
    "The feedback was specific and fair: more depth on distributed systems.",
    "Mostly generic, but the hint about leadership examples is worth acting on.",
)
LIST_ITEMS = (
    "The coding round",
    "Asking good questions at the end",
    "Staying calm in the panel",
    "Explaining the migration project",
    "Preparing the company research",
    "Time management",
    "Failure modes in system design",
    "Concrete examples with numbers",
    "Salary negotiation",
    "The recruiter's honest feedback",
    "A friend who did a mock interview with me",
    "The hiring manager's time",
    "Learning about a new domain",
)
NEXT_STEPS = (
    "Practise two system design mocks",
    "Rewrite the CV summary",
    "Ask Dana for a referral",
    "Read the chapter on consistency models",
    "Send a thank-you note",
    "Update the portfolio",
    "Book a mock interview",
    "Reach out to the recruiter in three months",
)
CONTACT_NOTES = (
    "Met at a meetup about platform engineering; happy to chat about openings.",
    "Former colleague, now a team lead there. Offered to refer me.",
    "Recruiter who handled the process; responsive and honest.",
)


def _weighted(rng: random.Random, choices: dict[str, int]) -> str:
    return rng.choices(list(choices), weights=list(choices.values()))[0]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _email_of(name: str, company: str) -> str:
    local = name.lower().replace(" ", ".").encode("ascii", "ignore").decode()
    domain = company.lower().replace(" & ", "-").replace(" ", "-")
    return f"{local}@{domain}.example"


def _at_hour(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@dataclass
class UserRows:
    """Rows of one user, by table, and what the harness needs to know about them."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in TABLES})
    live_application_ids: list[uuid.UUID] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


class UserFactory:
    """Builds one user's rows; `now` anchors every date (history runs up to it)."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.today = now.date()

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def user(
        self, email: str, password_hash: str, applications: int, deleted_share: float = 0.02
    ) -> UserRows:
        rng = self.rng
        out = UserRows()
        user_id = self.new_id()
        created = self.now - timedelta(days=HISTORY_DAYS + 5)
        user: Row = {
            "id": user_id,
            "email": email,
            "password_hash": password_hash,
            "display_name": rng.choice(FIRST_NAMES),
            "timezone": rng.choice(TIMEZONES),
            "weekly_goal": rng.choice((None, 3, 5, 10)),
            "created_at": created,
            "updated_at": created,
            "version": 1,
        }
        out.rows["users"].append(user)
        contacts = [self._contact(user_id) for _ in range(max(1, applications // 10))]
        for _ in range(applications):
            self._application(out, user_id, contacts, deleted_share)
        for contact in contacts:
            linked = rng.sample(out.live_application_ids, min(2, len(out.live_application_ids)))
            contact["application_ids"] = [str(app_id) for app_id in linked]
        out.rows["contacts"].extend(contacts)
        _number_changes(out, user)
        return out

    def _contact(self, user_id: uuid.UUID) -> Row:
        rng = self.rng
        name, company = _person(rng), rng.choice(COMPANIES)
        created = self.now - timedelta(days=rng.uniform(1, HISTORY_DAYS))
        follow_up = (
            self.today + timedelta(days=rng.randint(-20, 60)) if rng.random() < 0.4 else None
        )
        return {
            "id": self.new_id(),
            "user_id": user_id,
            "created_at": created,
            "updated_at": created,
            "version": 1,
            "name": name,
            "role": rng.choice(INTERVIEWER_ROLES),
            "company": company,
            "email": _email_of(name, company),
            "phone": f"+49 30 {rng.randint(1000000, 9999999)}",
            "links": [f"https://www.linkedin.example/in/{name.lower().replace(' ', '-')}"],
            "relationship": rng.choice(("recruiter", "hiring_manager", "interviewer", "referrer")),
            "notes": rng.choice(CONTACT_NOTES),
            "last_contacted_on": created.date(),
            "next_follow_up_on": follow_up,
            "tags": rng.sample(TAGS, 2),
            "application_ids": [],
        }

    def _application(
        self, out: UserRows, user_id: uuid.UUID, contacts: list[Row], deleted_share: float
    ) -> None:
        rng = self.rng
        created = self.now - timedelta(days=rng.uniform(0, HISTORY_DAYS))
        company = rng.choice(COMPANIES)
        source = _weighted(
            rng,
            {
                "job_board": 35,
                "company_site": 20,
                "referral": 15,
                "recruiter": 15,
                "network": 10,
                "other": 5,
            },
        )
        low = rng.randrange(45_000, 120_000, 5_000)
        app_id = self.new_id()
        progress = _weighted(
            rng, {"wishlist": 8, "applied": 35, "screening": 17, "interviewing": 40}
        )
        app: Row = {
            "id": app_id,
            "user_id": user_id,
            "created_at": created,
            "updated_at": created,
            "version": 1,
            "company": company,
            "role_title": rng.choice(ROLES),
            "job_url": f"https://careers.{company.lower().replace(' ', '-').replace('&', 'and')}"
            f".example/jobs/{rng.randint(100, 99999)}",
            "location": rng.choice(CITIES),
            "work_mode": rng.choice(("onsite", "hybrid", "remote", None)),
            "source": source,
            "referrer": _person(rng) if source in ("referral", "network") else None,
            "salary_min": low if rng.random() < 0.7 else None,
            "salary_max": low + rng.randrange(5_000, 30_000, 5_000) if rng.random() < 0.7 else None,
            "currency": rng.choice(("EUR", "EUR", "GBP", "USD")),
            "stage": "wishlist" if progress == "wishlist" else "applied",
            "applied_on": None if progress == "wishlist" else created.date(),
            "interest": rng.randint(1, 5),
            "notes": rng.choice(NOTES) if rng.random() < 0.8 else None,
            "tags": rng.sample(TAGS, rng.randint(0, 4)),
        }
        if app["salary_min"] is None and app["salary_max"] is None:
            app["currency"] = None
        elif None not in (app["salary_min"], app["salary_max"]):
            app["salary_max"] = max(app["salary_min"], app["salary_max"])
        out.rows["applications"].append(app)
        changes = [self._stage_change(app, None, app["stage"], created, "user")]
        children: list[tuple[str, Row]] = []

        moment = created
        if progress in ("screening", "interviewing"):
            kinds = ["phone_screen"]
            if progress == "interviewing":
                kinds += rng.sample(("technical", "behavioral", "case", "panel"), rng.randint(1, 2))
                kinds += [rng.choice(("onsite", "final"))] if rng.random() < 0.5 else []
            for number, kind in enumerate(kinds):
                scheduled = moment + timedelta(days=rng.uniform(4, 12))
                booked = min(scheduled - timedelta(days=3), self.now)
                if booked < moment:
                    booked = moment
                if booked > self.now:
                    break
                interview = self._interview(app, kind, scheduled, booked)
                children.append(("interviews", interview))
                stage = "screening" if number == 0 else "interviewing"
                if app["stage"] != stage:
                    changes.append(self._stage_change(app, app["stage"], stage, booked, "user"))
                    app["stage"] = stage
                moment = scheduled

        if progress != "wishlist" and rng.random() < 0.75:
            received = moment + timedelta(days=rng.uniform(3, 21))
            if received < self.now:
                self._outcome_and_after(app, progress, received, contacts, children, changes)

        app["updated_at"] = max(change["changed_at"] for change in changes)
        app["version"] += len(changes) - 1
        if rng.random() < deleted_share:  # deleted, with its dependents (one cascade)
            rows = [app, *(row for _table, row in children)]
            deleted = max(
                self.now - timedelta(days=rng.uniform(0, 30)), *(r["updated_at"] for r in rows)
            )
            for row in rows:
                row["deleted_at"] = row["updated_at"] = deleted
                row["version"] += 1
        else:
            out.live_application_ids.append(app_id)
        out.rows["stage_changes"].extend(changes)
        for table, row in children:
            out.rows[table].append(row)

    def _stage_change(
        self, app: Row, before: str | None, after: str, moment: datetime, cause: str
    ) -> Row:
        return {
            "id": self.new_id(),
            "user_id": app["user_id"],
            "application_id": app["id"],
            "from_stage": before,
            "to_stage": after,
            "changed_at": moment,
            "cause": cause,
            "outcome_id": None,
        }

    def _owned(self, app: Row, created: datetime) -> Row:
        return {
            "id": self.new_id(),
            "user_id": app["user_id"],
            "created_at": created,
            "updated_at": created,
            "version": 1,
        }

    def _interview(self, app: Row, kind: str, scheduled: datetime, booked: datetime) -> Row:
        rng = self.rng
        held = scheduled < self.now
        interview = self._owned(app, booked)
        interview |= {
            "application_id": app["id"],
            "kind": kind,
            "scheduled_at": scheduled.replace(minute=0, second=0, microsecond=0),
            "interviewers": [
                {"name": _person(rng), "role": rng.choice(INTERVIEWER_ROLES)}
                for _ in range(rng.randint(1, 3))
            ],
            "self_rating": rng.randint(1, 5) if held else None,
            "notes": rng.choice(INTERVIEW_NOTES) if held else None,
        }
        if held:  # rated and noted after it took place
            interview["updated_at"] = min(scheduled + timedelta(hours=3), self.now)
            interview["version"] = 2
        return interview

    def _outcome_and_after(
        self,
        app: Row,
        progress: str,
        received: datetime,
        contacts: list[Row],
        children: list[tuple[str, Row]],
        changes: list[Row],
    ) -> None:
        rng = self.rng
        weights = (
            {"rejection": 60, "ghosted": 20, "offer": 8, "on_hold": 5, "withdrawn": 7}
            if progress == "interviewing"
            else {"rejection": 45, "ghosted": 45, "on_hold": 3, "withdrawn": 7}
        )
        kind = _weighted(rng, weights)
        outcome = self._owned(app, received)
        offer = kind == "offer"
        outcome |= {
            "application_id": app["id"],
            "kind": kind,
            "received_on": received.date(),
            "channel": rng.choice(
                ("email", "phone", "portal", "none" if kind == "ghosted" else "email")
            ),
            "stated_reason": rng.choice(STATED_REASONS)
            if kind == "rejection" and rng.random() < 0.6
            else None,
            "reasons": [
                {"key": key, "source": rng.choice(("stated", "suspected"))}
                for key in rng.sample(REASON_KEYS, rng.randint(0, 3))
            ]
            if kind in ("rejection", "ghosted")
            else [],
            "feedback_offered": kind == "rejection" and rng.random() < 0.3,
            "disappointment": rng.randint(0, 10) if not offer else None,
            "offer_salary": (app["salary_max"] or 70_000) if offer else None,
            "offer_deadline": received.date() + timedelta(days=7) if offer else None,
        }
        children.append(("outcomes", outcome))
        after = STAGE_AFTER[kind]
        if app["stage"] != after:
            change = self._stage_change(app, app["stage"], after, received, "outcome")
            change["outcome_id"] = outcome["id"]
            changes.append(change)
            app["stage"] = after
        if kind == "rejection" and rng.random() < (0.8 if outcome["feedback_offered"] else 0.35):
            children.append(("feedback_conversations", self._feedback(app, outcome, contacts)))
        if kind in ("rejection", "ghosted", "withdrawn") and rng.random() < 0.55:
            reflected = received + timedelta(days=rng.uniform(1, 7))
            if reflected < self.now:
                children.append(("reflections", self._reflection(app, outcome, reflected)))

    def _feedback(self, app: Row, outcome: Row, contacts: list[Row]) -> Row:
        rng = self.rng
        received: date = outcome["received_on"]
        status = _weighted(
            rng,
            {
                "completed": 40,
                "requested": 15,
                "scheduled": 10,
                "planned": 10,
                "declined": 10,
                "no_response": 15,
            },
        )
        contact = rng.choice(contacts) if rng.random() < 0.3 else None
        name = contact["name"] if contact else _person(rng)
        requested = received + timedelta(days=rng.randint(1, 3))
        scheduled = _at_hour(requested + timedelta(days=rng.randint(3, 10)), rng.randint(8, 16))
        completed = status == "completed"
        stay = completed and rng.random() < 0.4
        conversation = self._owned(app, _at_hour(received, 18))
        conversation |= {
            "application_id": app["id"],
            "outcome_id": outcome["id"],
            "contact_id": contact["id"] if contact else None,
            "contact_name": name,
            "contact_role": rng.choice(INTERVIEWER_ROLES),
            "contact_email": _email_of(name, app["company"]),
            "channel": rng.choice(("phone", "video", "email", "in_person")),
            "status": status,
            "requested_on": requested if status != "planned" else None,
            "scheduled_at": scheduled if status in ("scheduled", "completed") else None,
            "completed_on": scheduled.date() if completed else None,
            "answers": [
                {"question_key": key, "answer": rng.choice(ANSWERS)}
                for key in rng.sample(FEEDBACK_QUESTION_KEYS, rng.randint(2, 4))
            ]
            if completed
            else [],
            "takeaways": rng.choice(TAKEAWAYS) if completed else None,
            "trust": rng.choice(("genuine", "partly", "generic", "doubtful"))
            if completed
            else None,
            "stay_in_touch": stay,
            "follow_up_on": scheduled.date() + timedelta(days=rng.randint(30, 90))
            if stay
            else None,
        }
        last = {"planned": None, "requested": _at_hour(requested, 9)}.get(status, scheduled)
        if last is not None and conversation["created_at"] < last < self.now:
            conversation["updated_at"] = last
            conversation["version"] = 2
        return conversation

    def _reflection(self, app: Row, outcome: Row, created: datetime) -> Row:
        rng = self.rng
        reflection = self._owned(app, created)
        reflection |= {
            "application_id": app["id"],
            "outcome_id": outcome["id"],
            "answers": [
                {"prompt_key": key, "answer": rng.choice(ANSWERS)}
                for key in rng.sample(REFLECTION_PROMPT_KEYS, rng.randint(2, 5))
            ],
            "went_well": rng.sample(LIST_ITEMS, rng.randint(0, 3)),
            "to_improve": rng.sample(LIST_ITEMS, rng.randint(1, 3)),
            "gratitude": rng.sample(LIST_ITEMS, rng.randint(0, 2)),
            "mood": rng.randint(0, 10),
            "diagnosis": rng.choice(
                ("in_person", "on_paper", "network", "fit", "circumstantial", "unsure")
            ),
            "still_want_similar_roles": rng.choice(("yes", "no", "unsure")),
            "next_steps": [],
        }
        for text in rng.sample(NEXT_STEPS, rng.randint(1, 3)):
            due = created.date() + timedelta(days=rng.randint(7, 30))
            position = len(reflection["next_steps"])
            reflection["next_steps"].append(
                {
                    # Derived, not drawn: the rest of the data set stays as the seed makes it.
                    "id": str(uuid.uuid5(reflection["id"], f"next-step-{position}")),
                    "text": text,
                    "due_on": due.isoformat(),
                    "done": due < self.today and rng.random() < 0.6,
                }
            )
        return reflection


def _number_changes(out: UserRows, user: Row) -> None:
    """Hand out the user's change sequence in `updated_at` order, as writes would have."""
    owned = [
        row
        for table in TABLES
        if table not in ("users", "stage_changes")
        for row in out.rows[table]
    ]
    owned.sort(key=lambda row: row["updated_at"])
    for seq, row in enumerate(owned, start=1):
        row["change_seq"] = seq
        row.setdefault("deleted_at", None)
    user["change_seq"] = len(owned)
