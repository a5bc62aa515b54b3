"""What the cells of a spreadsheet of applications mean: the column names other trackers and
people use (English, German, French, Spanish), their words for stages, sources and work modes,
and how dates, salaries, tags and ratings are written in them. Shared by the CSV import and
export, so that the export's columns are read back as the fields they came from."""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from app.applications.models import Source, Stage, WorkMode


class CellError(ValueError):
    """A cell that means nothing for its field; the message never quotes the cell."""


def plain(text: str) -> str:
    """A name or a word as compared here: lower case, no accents, letters and digits only
    ("Date Applied", "date_applied" and "DATE-APPLIED" are one)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())


def _spellings(words: str) -> list[str]:
    """The words of a "|"-separated list."""
    return [word.strip() for word in words.split("|")]


def _vocabulary(words: Mapping[str, str]) -> dict[str, str]:
    """Each word (as `plain` makes it) → what it means, the value itself included; a word may
    mean one thing only."""
    meaning: dict[str, str] = {}
    for value, spellings in words.items():
        for word in (value, *_spellings(spellings)):
            key = plain(word)
            if meaning.setdefault(key, value) != value:
                raise ValueError(f"{word!r} means both {meaning[key]} and {value}")
    return meaning


# --- columns ----------------------------------------------------------------------------------
# What the export writes, column by column: the import reads these names back.
EXPORT_HEADERS = {
    "company": "Company",
    "role_title": "Role title",
    "stage": "Stage",
    "applied_on": "Applied on",
    "job_url": "Job URL",
    "location": "Location",
    "work_mode": "Work mode",
    "source": "Source",
    "referrer": "Referrer",
    "salary_min": "Salary min",
    "salary_max": "Salary max",
    "currency": "Currency",
    "interest": "Interest",
    "tags": "Tags",
    "notes": "Notes",
    "job_description": "Job description",
    "outcome_date": "Outcome date",
}
# The fields a column can be read into (the `mapping` parameter's values): the application's,
# a salary written as one number or a range, and the day an outcome came.
FIELDS = (*EXPORT_HEADERS, "salary")

# The names of each field's column, the most telling first: of two columns of a file that
# mean one field ("Date Applied" and "Date"), the one named earlier here is read.
_HEADER_NAMES: dict[str, str] = {
    "company": (
        "Company name | Employer | Organisation | Organization | Firma | Unternehmen | "
        "Arbeitgeber | Entreprise | Société | Employeur | Empresa | Compañía"
    ),
    "role_title": (
        "Job title | Job position | Position | Title | Role | Job | Stelle | "
        "Stellenbezeichnung | Jobtitel | Titel | Poste | Intitulé du poste | "
        "Titre du poste | Puesto | Cargo | Título del puesto | Título"
    ),
    "stage": (
        "Status | State | List | Bewerbungsstatus | Stand | Statut | État | Étape | Estado | Etapa"
    ),
    "applied_on": (
        "Date applied | Applied | Applied date | Application date | Date of application | "
        "Beworben am | Bewerbungsdatum | Date de candidature | Postulé le | Candidature | "
        "Fecha de solicitud | Fecha de aplicación | Fecha de postulación | Datum | "
        "Fecha | Date"
    ),
    "job_url": (
        "URL | Link | Job link | Job post URL | Job posting URL | Posting URL | "
        "Job posting | Posting | Stellenanzeige | Anzeige | Lien | Lien de l'offre | "
        "Offre | Enlace | Oferta"
    ),
    "location": (
        "City | Ort | Standort | Arbeitsort | Stadt | Lieu | Localisation | Ville | "
        "Ubicación | Ciudad | Lugar"
    ),
    "work_mode": (
        "Remote | Work type | Workplace type | Workplace | Remote work | Arbeitsmodell | "
        "Homeoffice | Mode de travail | Télétravail | Modalidad | Modalidad de trabajo | "
        "Remoto"
    ),
    "source": (
        "Applied via | Found via | Quelle | Herkunft | Kanal | Origine | Canal | Fuente | Origen"
    ),
    "referrer": (
        "Referred by | Referral | Empfohlen von | Recommandé par | Coopté par | "
        "Referido por | Recomendado por"
    ),
    "salary_min": ("Min salary | Minimum salary | Salary from | Min. salary"),
    "salary_max": ("Max salary | Maximum salary | Salary to | Max. salary"),
    "salary": (
        "Salary | Salary range | Compensation | Pay | Gehalt | Salaire | Rémunération | "
        "Salario | Sueldo"
    ),
    "currency": ("Währung | Devise | Monnaie | Moneda | Divisa"),
    "interest": ("Excitement | Interesse | Intérêt | Interés"),
    "tags": (
        "Tag | Labels | Label | Schlagwörter | Etiketten | Étiquettes | Mots-clés | Etiquetas"
    ),
    "notes": (
        "Note | Comments | Comment | Notizen | Notiz | Bemerkungen | Bemerkung | "
        "Kommentar | Kommentare | Remarques | Commentaires | Commentaire | Notas | Nota | "
        "Comentarios | Observaciones"
    ),
    "job_description": (
        "Description | Stellenbeschreibung | Beschreibung | Description du poste | "
        "Descripción del puesto | Descripción"
    ),
    "outcome_date": (
        "Date rejected | Rejected on | Rejection date | Decision date | Outcome on | "
        "Date updated | Last updated | Updated | Absage am | Absagedatum | "
        "Date de refus | Date de réponse | Fecha de rechazo | Fecha de respuesta"
    ),
}
# plain(name) → (field, rank): the export's names and the field names first.
HEADERS: dict[str, tuple[str, int]] = {}
for _field in FIELDS:
    _names = (EXPORT_HEADERS.get(_field, _field), _field, *_spellings(_HEADER_NAMES[_field]))
    for _rank, _name in enumerate(_names):
        _known = HEADERS.setdefault(plain(_name), (_field, _rank))
        if _known[0] != _field:
            raise ValueError(f"the column {_name!r} means both {_known[0]} and {_field}")


def header_field(header: str) -> tuple[str, int] | None:
    """The field a column of this name holds, and how telling the name is (0: most)."""
    return HEADERS.get(plain(header))


# --- words ------------------------------------------------------------------------------------
STAGES = _vocabulary(
    {
        Stage.applied: (
            "Submitted | Application sent | Sent | Beworben | Bewerbung verschickt | "
            "Bewerbung gesendet | Versendet | Gesendet | Eingereicht | Postulé | "
            "Candidature envoyée | Envoyée | Envoyé | Postulado | Postulada | Aplicado | "
            "Aplicada | Enviada | Enviado | Solicitado"
        ),
        Stage.wishlist: (
            "Wish list | Saved | Interested | Bookmarked | Bookmark | To apply | Applying | "
            "Planned | "
            "Merkliste | Gemerkt | Gespeichert | Interessant | Vorgemerkt | Favoris | "
            "Sauvegardé | Intéressé | À postuler | Guardado | Guardada | Interesado | "
            "Interesada | Por postular | Lista de deseos"
        ),
        Stage.screening: (
            "Phone screen | Phone screening | Recruiter call | Recruiter screen | "
            "Vorauswahl | Telefoninterview | Telefonat | Erstgespräch | Présélection | "
            "Entretien téléphonique | Preselección | Filtro | Llamada"
        ),
        Stage.interviewing: (
            "Interview | Interviews | Onsite | Interview scheduled | Assessment | "
            "Vorstellungsgespräch | Bewerbungsgespräch | Gespräch | Im Gespräch | Entretien | "
            "Entretiens | En entretien | Entrevista | Entrevistas | En entrevista"
        ),
        Stage.offer: (
            "Offered | Offer received | Accepted | Negotiating | Angebot | Vertragsangebot | "
            "Zusage | "
            "Offre | Offre reçue | Accepté | Acceptée | Oferta | Aceptado | Aceptada"
        ),
        Stage.rejected: (
            "Rejection | Declined | Not selected | Not moving forward | Unsuccessful | "
            "Absage | Abgesagt | Abgelehnt | Refus | Refusé | Refusée | Rejeté | Rejetée | "
            "Rechazado | Rechazada | Rechazo | Descartado | Descartada | No seleccionado"
        ),
        Stage.withdrawn: (
            "Withdrew | I withdrew | Zurückgezogen | Retiré | Retirée | Désisté | Retirado | "
            "Retirada | Desistido"
        ),
        Stage.on_hold: (
            "Paused | Hold | Pausiert | Auf Eis | En pause | En attente | En espera | "
            "Pausado | Pausada"
        ),
        Stage.ghosted: (
            "No response | No reply | No answer | Keine Antwort | Keine Rückmeldung | "
            "Sans réponse | Pas de réponse | Sin respuesta"
        ),
    }
)
SOURCES = _vocabulary(
    {
        Source.referral: (
            "Referred | Empfehlung | Recommandation | Cooptation | Referencia | "
            "Recomendación | Referido"
        ),
        Source.network: (
            "Networking | Netzwerk | Contact | Kontakt | Réseau | Red | Contacto | Event | "
            "Meetup | Friend"
        ),
        Source.recruiter: (
            "Headhunter | Agency | Recruiting agency | Personalvermittlung | "
            "Personalvermittler | Personalberater | Recruteur | Cabinet de recrutement | "
            "Chasseur de têtes | Reclutador | Reclutadora | Agencia"
        ),
        Source.job_board: (
            "Job site | LinkedIn | Indeed | Glassdoor | StepStone | Xing | Monster | "
            "ZipRecruiter | Welcome to the Jungle | Wellfound | AngelList | Otta | Dice | "
            "Jobbörse | Arbeitsagentur | Bundesagentur für Arbeit | France Travail | "
            "Pôle emploi | APEC | HelloWork | InfoJobs | Jobteaser | Seek | Reed | "
            "Totaljobs | Handshake"
        ),
        Source.company_site: (
            "Company website | Website | Careers page | Career page | Careers site | Direct | "
            "Karriereseite | Webseite | Firmenwebsite | Site carrière | "
            "Site de l'entreprise | Sitio web | Página de empleo | Web de la empresa"
        ),
        Source.other: ("Sonstige | Sonstiges | Andere | Autre | Otro | Otra"),
    }
)
_NOT_SAID = "not said"  # a "Remote" column's "no": onsite or hybrid, which it does not say
WORK_MODES = _vocabulary(
    {
        WorkMode.onsite: (
            "On site | Office | In office | In person | Vor Ort | Präsenz | Büro | "
            "Présentiel | Sur site | Bureau | Presencial | Oficina"
        ),
        WorkMode.hybrid: ("Hybride | Híbrido | Híbrida | Teilweise remote | Partly remote"),
        WorkMode.remote: (
            "Fully remote | Remote only | Home office | Télétravail | À distance | Remoto | "
            "En remoto | Teletrabajo | WFH | Work from home | Yes | Y | True | Ja | Oui | "
            "Sí | 1 | X"
        ),
        _NOT_SAID: ("No | N | False | Nein | Non | 0"),
    }
)


def _one_of(vocabulary: Iterable[str]) -> str:
    return ", ".join(sorted({str(value) for value in vocabulary} - {_NOT_SAID}))


def read_stage(cell: str) -> str:
    stage = STAGES.get(plain(cell))
    if stage is None:
        raise CellError(
            f"Not a stage this import knows: write one of {_one_of(Stage)} (or a usual word "
            "for one, e.g. Saved, Phone screen, Offer, Absage, Refus, Rechazado)."
        )
    return stage


def read_source(cell: str) -> str:
    """Where the user found the job; a name not known here (a small job board) is `other`."""
    return SOURCES.get(plain(cell), Source.other)


def read_work_mode(cell: str) -> str | None:
    mode = WORK_MODES.get(plain(cell))
    if mode is None:
        raise CellError(f"Not a work mode: write one of {_one_of(WorkMode)}, or yes/no.")
    return None if mode == _NOT_SAID else mode


# --- values -----------------------------------------------------------------------------------
_ISO_DAY = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ][0-9:.+\-Z ]*)?")


def read_date(cell: str, date_format: str | None) -> date:
    """YYYY-MM-DD (a time after it is ignored), or the `date_format` the file is written in."""
    if iso := _ISO_DAY.fullmatch(cell):
        try:
            return date.fromisoformat(iso[1])
        except ValueError:
            raise CellError("Not a date of the calendar.") from None
    if date_format is not None:
        try:
            return datetime.strptime(cell, date_format).date()
        except ValueError:
            raise CellError(f"Not a date in the form {date_format} or YYYY-MM-DD.") from None
    raise CellError(
        "Not a date in the form YYYY-MM-DD: send `date_format` (e.g. %d.%m.%Y) for a file "
        "whose dates are written otherwise."
    )


def check_date_format(date_format: str) -> bool:
    """A strptime pattern that names the day, the month and the year."""
    day = date(2026, 12, 31)
    try:
        return datetime.strptime(day.strftime(date_format), date_format).date() == day
    except ValueError:
        return False


def read_interest(cell: str) -> int:
    """1–5, as a digit, "4/5" or stars."""
    stars = cell.count("★")
    if stars and not cell.replace("★", "").replace("☆", "").strip():
        return stars
    number = cell.split("/", 1)[0].strip()
    try:
        value = float(number.replace(",", "."))
    except ValueError:
        raise CellError("Not a rating: write a whole number from 1 to 5.") from None
    if not value.is_integer():
        raise CellError("Not a rating: write a whole number from 1 to 5.")
    return int(value)


def read_tags(cell: str) -> list[str]:
    """Tags separated by commas or semicolons, each once."""
    return list(dict.fromkeys(tag for part in re.split(r"[,;]", cell) if (tag := part.strip())))


_HOST_FIRST = re.compile(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#]\S*)?", re.IGNORECASE)


def read_url(cell: str) -> str:
    """A link as trackers keep it; one without its scheme ("example.com/jobs/1") is https."""
    if "://" not in cell and _HOST_FIRST.fullmatch(cell):
        return f"https://{cell}"
    return cell


# --- money ------------------------------------------------------------------------------------
_SIGNS = {
    "US$": "USD", "CA$": "CAD", "C$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD",
    "R$": "BRL", "€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW",
    "₺": "TRY", "₪": "ILS", "zł": "PLN",
}  # fmt: skip
_CODES = frozenset(
    """AED ARS AUD BGN BRL CAD CHF CLP CNY COP CZK DKK EUR GBP HKD HUF IDR ILS INR ISK JPY KRW
    MXN MYR NOK NZD PHP PLN RON RSD SAR SEK SGD THB TRY TWD UAH USD ZAR""".split()
)
# Words a salary cell may hold beside its amounts: range words and "a year" in four languages.
_FILLER = frozenset(
    """to bis a à hasta de from von between and und et y per pro par por year yr annum annual
    annually yearly pa jahr jährlich jahrlich an año ano gross brutto bruto brut ca circa approx
    about up k p""".split()
)
_AMOUNT = re.compile(
    r"(?P<number>[0-9]{1,3}(?:[ \u00a0\u202f'’.,][0-9]{3})+(?:[.,][0-9]+)?|[0-9]+(?:[.,][0-9]+)?)"
    r"\s*(?P<unit>[kKmM](?![a-zA-Z]))?"
)
_SALARY_HELP = "write a number or a range, e.g. 80000, 80k-95k or 80,000–95,000 EUR"


def read_currency(cell: str) -> str:
    """An ISO 4217 code, or a currency sign (€, $, £ …)."""
    return _SIGNS.get(cell.strip(), cell.strip().upper())


def _number(text: str) -> float:
    """80,000 / 80.000 / 80 000 / 80'000 / 80.5 / 80,5 / 1.234,56."""
    digits = re.sub(r"[ \u00a0\u202f'’]", "", text)
    marks = [char for char in digits if char in ".,"]
    if len(set(marks)) == 2:  # both: the last one is the decimal mark
        decimal = marks[-1]
        digits = digits.replace("," if decimal == "." else ".", "").replace(decimal, ".")
    elif marks:
        mark = marks[0]
        tail = digits.rsplit(mark, 1)[1]
        if len(marks) > 1 or len(tail) == 3:  # a thousands separator
            digits = digits.replace(mark, "")
        else:
            digits = digits.replace(mark, ".")
    return float(digits)


def read_salary(cell: str) -> tuple[int, int, str | None]:
    """(min, max, currency or None) from "95000", "80k-95k", "80,000–95,000 EUR", "€80-95k"."""
    text, currency = cell, None
    for sign, code in _SIGNS.items():
        if sign in text:
            text, currency = text.replace(sign, " "), code
            break
    amounts: list[tuple[float, int | None]] = []
    for match in _AMOUNT.finditer(text):
        unit = (match["unit"] or "").lower()
        amounts.append((_number(match["number"]), {"k": 1_000, "m": 1_000_000}.get(unit)))
    words = re.findall(r"[^\W\d_]+", _AMOUNT.sub(" ", text))
    for word in words:
        if word.upper() in _CODES and currency in (None, word.upper()):
            currency = word.upper()
        elif word.casefold() not in _FILLER:
            raise CellError(f"Not a salary: {_SALARY_HELP}.")
    if not 1 <= len(amounts) <= 2:
        raise CellError(f"Not a salary: {_SALARY_HELP}.")
    if len(amounts) == 2 and amounts[0][1] is None and amounts[0][0] < 1_000:
        amounts[0] = (amounts[0][0], amounts[1][1])  # "80-95k": the unit is said once, for both
    low, high = (round(value * (unit or 1)) for value, unit in (amounts[0], amounts[-1]))
    return low, high, currency


def read_money(cell: str) -> int:
    low, high, _ = read_salary(cell)
    if low != high:
        raise CellError("Not one amount: write a number, e.g. 80000 or 80k.")
    return low
