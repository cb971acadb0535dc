"""Prepare a submission: the questions OHCHR's form and the ISHR guide ask, one at a
time, with placeholders instead of names; then a draft document and where to send it.

The answers live in the session's draft (sealed, deleted 48 hours after the last
answer, or at once with "Delete this draft"). The gate (consent and risk) must
have been passed in this session: the engine enforces it on every way in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flows.catalog import (
    FACT_GENERAL_MAILBOX,
    FACT_NO_PREREQUISITES,
    Mandate,
    load_catalog,
    recommend,
    say,
)
from flows.consent import ConsentAnswers, assess, passed
from flows.declare import Text
from flows.i18n import N_, T, translator
from flows.mandate import MandateAnswers
from flows.model import (
    Change,
    Choice,
    Command,
    DeleteDraftMessages,
    Document,
    Flow,
    Parsed,
    Session,
    Step,
    View,
)
from flows.safety import DELETE_ANSWERS_CHOICES
from flows.urgency import DATE_KINDS, KIND_TEXT, UrgencyAnswers, decision

CATALOG = load_catalog()
MAX_ANSWER = 3000
DRAFT_LANGUAGES = (("en", "English"), ("fr", "Français"), ("es", "Español"))
PLACEHOLDER = re.compile(r"\b[VPL][1-9][0-9]?\b")

# (key, question, hint with an example). The order is OHCHR's and the guide's.
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "sender",
        N_("Who is sending the information? Describe yourself or your organisation in "
           "general terms: your name and contact details go only in the online form or "
           "encrypted e-mail."),
        N_("Example: a local human rights organisation working on detention. The experts "
           "generally keep the source confidential."),
    ),
    (
        "urgency",
        N_("Is it urgent, and why now? Is there a date, or a chance to prevent more harm?"),
        N_("Example: V1 has been held without charge since 2 May; a hearing is set for "
           "15 June."),
    ),
    (
        "victims",
        N_("Who are the victims? Use V1, V2… with age range, gender and role."),
        N_("Example: V1, a woman in her thirties, a journalist; V2, her brother, a student. "
           "A large group can be described together."),
    ),
    (
        "what",
        N_("What happened? Give dates, and places as L1, L2, unless you decide a place is "
           "safe to name."),
        N_("Example: on 2 May, officers came to V1's home in L1 and took her to L2. Her "
           "family has had no news since."),
    ),
    (
        "perpetrators",
        N_("Who are the perpetrators? Use P1, P2 with their role or function, never names."),
        N_("Example: P1, officers of the national security service; P2, the prosecutor in "
           "charge of the case."),
    ),
    (
        "context",
        N_("What is the context? The laws used, the legal framework, what happened before."),
        N_("Example: V1 is charged under the 2020 cybercrime law, used against several "
           "journalists this year."),
    ),
    (
        "action",
        N_("What has already been done, at home or elsewhere? Complaints, courts, other UN "
           "or regional bodies."),
        N_("Example: the family filed a complaint with the prosecutor on 5 May; no answer."),
    ),
    (
        "request",
        N_("What should the experts do? Questions to ask the government, and whether you "
           "want a public statement, and why."),
        N_("Example: ask where V1 is held and on what legal basis; a public statement only "
           "if there is no answer within a month."),
    ),
)
KEYS = tuple(key for key, _, _ in QUESTIONS)

INTRO = N_(
    "Now the submission, one question at a time; skip any or go back.\n\n"
    "Use placeholders, not names: V1, V2 for victims, P1, P2 for perpetrators, L1, L2 "
    "for places. Replace them offline, in the copy you send."
)
ANONYMOUS = N_(
    "Anonymous mode: nobody has agreed to be named, so describe a pattern or a group, "
    "without identifying anyone."
)
REMINDER = {
    "telegram": N_("Reminder: not end-to-end encrypted; placeholders, not names."),
    "terminal": N_("Reminder: placeholders, not names."),
}
ASK_LANGUAGE = N_(
    "In which language should the draft be? Submissions must be in English, French or "
    "Spanish."
)
# On the urgency question when "Is it urgent?" was answered: what the draft already
# holds from it (`_urgency_lines`), so that the date is not asked again.
URGENCY_TAKEN = N_("Already in the draft, from “Is it urgent?”:")
ASK_URGENCY_MORE = N_("Anything to add on why it is urgent now?")
EXAMPLE = N_("Example")
TOO_LONG = N_(
    "That is too long for one answer. Please shorten it to {max} characters, or split it "
    "over two questions."
)
REVIEW = N_(
    "The draft is ready to be put together.\n\nAnswered:\n{answered}\n\nSkipped:\n{skipped}"
)
# Nothing skipped: the list of topics would only repeat the questions.
REVIEW_ALL = N_("The draft is ready to be put together: every question is answered.")
NONE = N_("none")
DELETED = N_("The draft is deleted.")
DELETE_CONFIRM = {
    "telegram": N_(
        "Delete this draft? Its answers are deleted from the bot, and its messages in this "
        "chat, with the draft document, are deleted too. If you want to keep the document, "
        "save it somewhere safe first, then come back and delete."
    ),
    "terminal": N_(
        "Delete this draft? Its answers are deleted from this program's data folder. If you "
        "want to keep the document, save it somewhere safe first, then come back and delete."
    ),
}

HANDOFF_FORM = N_("Send it through the OHCHR online form: {url}")
HANDOFF_FORM_ASKS = N_(
    "The form also asks which experts you address and what must stay confidential."
)
HANDOFF_EMAIL = N_(
    "You can also send it by e-mail to an expert whose OHCHR page is given below: the "
    "address is on that page. Send names and documents only through the form or "
    "encrypted mail."
)
HANDOFF_PAGES = N_("The experts' OHCHR pages: {pages}")
HANDOFF_NO_EXPERT = N_(
    "No expert is named in this draft: send it through the online form, {url}, and OHCHR "
    "staff pass it to the right experts."
)
HANDOFF_NO_PAGE = N_(
    "No OHCHR page is confirmed here for: {mandates}. Send it through the online form: "
    "OHCHR staff pass it on. To write to them by e-mail, look them up in the OHCHR list of "
    "Special Procedures mandates and check the address there."
)
# Fitted to the channels the person said they can use (the consent gate asks).
HANDOFF_PROTON = N_(
    "You use Proton Mail: between Proton Mail accounts, the message and attachments are "
    "end-to-end encrypted, but not the subject line: put no names in it. Ask OHCHR staff "
    "for a secure address or channel before you send names or documents; some experts use "
    "Proton Mail."
)
HANDOFF_SIGNAL = N_(
    "You use Signal: some experts use Signal too. Ask OHCHR staff for a secure channel, "
    "and use Signal with disappearing messages to coordinate with partners."
)
HANDOFF_NEITHER = N_(
    "Without Signal or Proton Mail, send names and documents only through the online "
    "form, not by ordinary e-mail, or ask a partner organisation to submit for you."
)
HANDOFF_TO = N_("Address it to: {mandates}.")
HANDOFF_FINDER = N_(
    "To know which experts to address, use “Find the right UN expert” in the main menu, "
    "or leave it to OHCHR staff: they route submissions to the right experts."
)
HANDOFF_COPY = N_(
    "Replace the placeholders offline, keep a copy offline, and delete this file from "
    "the chat once you have saved it."
)
HANDOFF_DOCUMENT = {
    "telegram": N_("Your draft is in the file below."),
    "terminal": N_("Your draft is shown below and saved in the data folder."),
}

# The draft's fixed text, in the draft's language.
D_TITLE = N_("SUBMISSION TO THE UN SPECIAL PROCEDURES (DRAFT)")
D_PREPARED = N_(
    "Prepared on {date}. V1, P1, L1 and the like are placeholders: replace them with the "
    "real names offline before sending."
)
D_ADDRESSED = N_("Addressed to: {mandates}")
D_HEADINGS = {
    "sender": N_("1. Who is sending the information"),
    "urgency": N_("2. Is it urgent? Why now?"),
    "victims": N_("3. The victims"),
    "consent": N_("4. Consent"),
    "what": N_("5. What happened: dates and places"),
    "perpetrators": N_("6. The perpetrators"),
    "context": N_("7. Context and legal framework"),
    "action": N_("8. Action already taken"),
    "request": N_("9. What we ask the Special Procedures to do"),
}
D_NOT_ANSWERED = N_("(not answered yet)")
D_URGENT = N_("URGENT: the harm is happening now or is about to happen.")
D_DATE = N_("The date that matters: {date} ({what}).")
D_NO_CONSENT = N_(
    "{v} is named in this draft, but their consent was not asked in this chat: ask them, "
    "their family or their lawyer before sending, or leave {v} out."
)
D_CONTACT = N_("Contact details: add them in the form or the encrypted e-mail only.")
D_CONFIDENTIAL_SOURCE = N_("Please keep the identity of the source confidential.")
D_CONSENT_LINE = N_(
    "{v}: agrees to be named to the government: {gov}; in public: {public}; consent given "
    "by: {by}; can be confirmed in writing: {writing}."
)
D_ANONYMOUS = N_(
    "No individual is named: this submission describes a pattern or a group, without "
    "consent to name anyone."
)
D_KEEP_CONFIDENTIAL = N_("Please do not share with the government: {parts}.")
D_LANGUAGE_NOTE = N_("Submissions must be in English, French or Spanish.")
D_CHECKLIST = N_("BEFORE SENDING (delete this part)")
D_REPLACE = N_("Replace {placeholder} with the real name, offline.")
D_ATTACH = N_(
    "Attach what supports the facts (documents, photos), the consent in writing if you "
    "have it, and for a law, its text with a translation into English, French or Spanish "
    "if available."
)
D_SEND = N_("Send it through the online form {url} or by encrypted e-mail.")
D_ANSWER = {"yes": N_("yes"), "no": N_("no"), "unsure": N_("not asked yet")}
D_BY = {"person": N_("the person"), "family": N_("the family"), "lawyer": N_("the lawyer"),
        "nobody": N_("nobody yet")}
D_WRITING = {"yes": N_("yes"), "no": N_("no"), "unsure": N_("not sure")}
D_PARTS = {"source": N_("the identity of the source"), "names": N_("the victims' names"),
           "places": N_("places"), "details": N_("some details")}
ONLINE_FORM = "https://spsubmission.ohchr.org/"
# Facts (flows/data/facts_communication.json).
FACT_ADMISSIBILITY = "admissibility"
FACT_WGEID_ELEMENTS = "wgeid_case_elements"


def _answer(text: str, view: View) -> Parsed:
    text = text.strip()
    if len(text) > MAX_ANSWER:
        return Parsed(error=TOO_LONG, error_values={"max": str(MAX_ANSWER)})
    return Parsed(ok=True, value=text)


def _question(key: str, question: str, hint: str, *, example: bool = False,
              ) -> Callable[[View], list[str]]:
    """The question and the reminder; its example only behind "Example"."""
    def render(view: View) -> list[str]:
        t = view.t
        lines = [t(question)]
        taken = _taken(t, view) if key == "urgency" else []
        if taken:
            lines = ["\n".join([t(URGENCY_TAKEN), *taken]), t(ASK_URGENCY_MORE)]
        if example:
            lines.append(t(hint))
        if key == "victims" and assess(ConsentAnswers.of(view)).anonymous:
            lines.append(t(ANONYMOUS))
        lines.append(t(REMINDER[view.channel]))
        return ["\n\n".join(lines)]

    return render


def _intro(view: View) -> list[str]:
    t = view.t
    lines = [t(INTRO)]
    if assess(ConsentAnswers.of(view)).anonymous:
        lines.append(t(ANONYMOUS))
    lines.append(t(REMINDER[view.channel]))
    return ["\n\n".join(lines)]


def _review(view: View) -> list[str]:
    """What was answered and skipped, by topic (the draft's headings)."""
    t = view.t
    answered = [t(D_HEADINGS[k]) for k in KEYS if view.draft.get(k)]
    skipped = [t(D_HEADINGS[k]) for k in KEYS if not view.draft.get(k)]
    if not skipped:
        return [t(REVIEW_ALL)]
    return [t(REVIEW, answered="\n".join(answered) or t(NONE),
              skipped="\n".join(skipped) or t(NONE))]


def _placeholders(view: View) -> list[str]:
    """V1, P1, L1… used in the answers, in order."""
    return sorted(
        {p for key in KEYS for p in PLACEHOLDER.findall(str(view.draft.get(key) or ""))},
        key=lambda p: (p[0], int(p[1:])),
    )


def _urgency_lines(dt: T, view: View) -> list[str]:
    """What the "Is it urgent?" answers said, for the draft's urgency section."""
    if not UrgencyAnswers.of(view).timing:
        return []
    lines = [dt(D_URGENT)] if decision(view).kind == "urgent_appeal" else []
    return lines + _date_line(dt, view)


def _date_line(dt: T, view: View) -> list[str]:
    """The date that matters, from "Is it urgent?", if one was typed."""
    d = decision(view)
    kind = UrgencyAnswers.of(view).date_kind
    if d.when is None or kind is None:
        return []
    return [dt(D_DATE, date=dt.date(d.when), what=dt(dict(DATE_KINDS)[kind]))]


def _taken(t: T, view: View) -> list[str]:
    """On the urgency question: what the draft already holds from "Is it urgent?" (the
    verdict and the date, see `_urgency_lines`), so that neither is asked again."""
    if not UrgencyAnswers.of(view).timing:
        return []
    return [t(KIND_TEXT[decision(view).kind]), *_date_line(t, view)]


def _disappearance(view: View) -> bool:
    found = MandateAnswers.of(view)
    if found.situations and recommend(CATALOG, found.situations, found.country).disappearance:
        return True
    return decision(view).seen is not None


def _addressed(view: View) -> list[Mandate]:
    """The mandates the draft is addressed to: the finder's picks and an active
    country mandate."""
    found = MandateAnswers.of(view)
    if not found.situations:
        return []
    r = recommend(CATALOG, found.situations, found.country)
    mandates = [p.mandate for p in r.picks]
    if r.country is not None and r.country.status == "active":
        mandates.append(r.country)
    return mandates


def _mandates(view: View, t: T) -> list[str]:
    """The addressed mandates' titles in `t`'s language (see `Mandate.title_in`)."""
    return [m.title_in(t) for m in _addressed(view)]


def _email_lines(t: T, view: View) -> list[str]:
    """Where the e-mail addresses are: the verified pages, and what to do for a
    mandate with none or when no expert is named (the online form, and OHCHR's general
    mailbox with its caveat); an unverified guess of a page is never shown. Experts
    are named by their official title in the chat's language where there is one."""
    addressed = _addressed(view)
    with_page = [m for m in addressed if m.url]
    without = [m for m in addressed if not m.url]
    lines = []
    if with_page:
        lines.append(t(HANDOFF_EMAIL))
        lines.append(t(HANDOFF_PAGES, pages="; ".join(f"{m.name_in(t.locale)}: {m.url}"
                                                      for m in with_page)))
    if without:
        lines.append(t(HANDOFF_NO_PAGE,
                       mandates="; ".join(m.name_in(t.locale) for m in without)))
    if not addressed:
        lines.append(t(HANDOFF_NO_EXPERT, url=ONLINE_FORM))
    if without or not addressed:
        lines.append(say(t, FACT_GENERAL_MAILBOX))
    return lines


def _consent_lines(dt: T, consent: ConsentAnswers, used: list[str]) -> list[str]:
    """A line for each victim asked about; a flag for each V-placeholder used in the
    answers whose consent was not asked."""
    a = assess(consent)
    asked = {f"V{i + 1}" for i in range(len(consent.victims))}
    missing = [dt(D_NO_CONSENT, v=v) for v in used if v.startswith("V") and v not in asked]
    if a.anonymous:
        return [dt(D_ANONYMOUS), *missing]
    lines = []
    for i, person in enumerate(consent.victims):
        lines.append(dt(
            D_CONSENT_LINE,
            v=f"V{i + 1}",
            gov=dt(D_ANSWER.get(person.get("gov", "unsure"), D_ANSWER["unsure"])),
            public=dt(D_ANSWER.get(person.get("public", "unsure"), D_ANSWER["unsure"])),
            by=dt(D_BY.get(person.get("consent_by", "nobody"), D_BY["nobody"])),
            writing=dt(D_WRITING.get(person.get("writing", "unsure"), D_WRITING["unsure"])),
        ))
    return lines + missing


def draft_text(view: View) -> str:
    """The draft document, in the draft's language: fixed text translated, answers as typed."""
    draft = view.draft
    dt = translator(draft.get("lang") or view.t.locale)
    out = [dt(D_TITLE), dt(D_PREPARED, date=dt.date(view.today)), dt(D_LANGUAGE_NOTE)]
    mandates = _mandates(view, dt)
    if mandates:
        out.append(dt(D_ADDRESSED, mandates="; ".join(mandates)))
    placeholders = _placeholders(view)
    for key in ("sender", "urgency", "victims", "consent", "what", "perpetrators", "context",
                "action", "request"):
        out.append("")
        out.append(dt(D_HEADINGS[key]))
        if key == "consent":
            out += _consent_lines(dt, ConsentAnswers.of(view), placeholders)
            continue
        if key == "urgency":
            out += _urgency_lines(dt, view)
        out.append(draft.get(key) or dt(D_NOT_ANSWERED))
        if key == "sender":
            out += [dt(D_CONTACT), dt(D_CONFIDENTIAL_SOURCE)]
    parts = [p for p in ConsentAnswers.of(view).confidential if p in D_PARTS]
    if parts:
        out += ["", dt(D_KEEP_CONFIDENTIAL, parts=", ".join(dt(D_PARTS[p]) for p in parts))]
    out += ["", "—" * 20, dt(D_CHECKLIST)]
    out += [f"[ ] {dt(D_REPLACE, placeholder=p)}" for p in placeholders]
    out += [f"[ ] {say(dt, FACT_ADMISSIBILITY)}", f"[ ] {say(dt, FACT_NO_PREREQUISITES)}"]
    if _disappearance(view):
        out.append(f"[ ] {say(dt, FACT_WGEID_ELEMENTS)}")
    out += [f"[ ] {dt(D_ATTACH)}", f"[ ] {dt(D_SEND, url=ONLINE_FORM)}"]
    return "\n".join(out) + "\n"


def document(view: View) -> Document:
    return Document(name=f"submission-draft-{view.today.isoformat()}.txt", text=draft_text(view))


def handoff(view: View) -> list[str]:
    """What to do now with the draft: where to send it, to whom, how, and keeping it safe."""
    t = view.t
    lines = [t(HANDOFF_DOCUMENT[view.channel]), t(HANDOFF_FORM, url=ONLINE_FORM)]
    mandates = _mandates(view, t)
    lines.append(t(HANDOFF_TO, mandates="; ".join(mandates)) if mandates else t(HANDOFF_FINDER))
    channels = set(ConsentAnswers.of(view).channels)
    if "proton" in channels:
        lines.append(t(HANDOFF_PROTON))
    if "signal" in channels:
        lines.append(t(HANDOFF_SIGNAL))
    if not channels & {"proton", "signal"}:
        lines.append(t(HANDOFF_NEITHER))
    lines.append(t(HANDOFF_COPY))
    return ["\n\n".join(lines)]


def handoff_detail(view: View) -> list[str]:
    """Behind "More detail": sending by e-mail, and what happens after."""
    t = view.t
    after = ("comm_follow_up", "comm_deadline", "comm_database")
    lines = [t(HANDOFF_FORM_ASKS), *_email_lines(t, view)]
    return ["\n\n".join(lines), "\n\n".join(say(t, f) for f in after)]


def _begin(session: Session, view: View) -> None:
    """The draft begins with "Start": its language screen is its first screen, so what is
    typed there and the screen itself go when the draft is deleted (a chat's messages
    belong to a draft from the update that creates it on)."""
    session.draft = dict(session.draft or {})


def _set_language(code: str) -> Change:
    def do(session: Session, view: View) -> None:
        session.draft = {**(session.draft or {}), "lang": code}

    return do


def _skip(key: str) -> Change:
    def do(session: Session, view: View) -> None:
        draft = dict(session.draft or {})
        draft.pop(key, None)
        session.draft = draft

    return do


def _delete_draft(session: Session, view: View) -> None:
    session.draft = None


def _delete_confirm(view: View) -> list[str]:
    return [view.t(DELETE_CONFIRM[view.channel])]


DELETE = Choice(id="delete", label=N_("Delete this draft"), to="delete_confirm")


AFTER_DRAFT = [
    Choice(id="remind", label=N_("Remind me…"), to="reminders.offer"),
    DELETE,
    Choice(id="again", label=N_("Start again"), to="intro", do=_delete_draft),
]


def _question_steps() -> list[Step]:
    """Each question, and the same question with its example (behind "Example", like
    "More detail": the press replaces the message); both take the answer."""
    steps: list[Step] = []
    for index, (key, question, hint) in enumerate(QUESTIONS):
        following = KEYS[index + 1] if index + 1 < len(KEYS) else "review"
        skip = Choice(id="skip", label=N_("Skip"), do=_skip(key), to=following)
        for example in (False, True):
            shown = [] if example else [Choice(id="example", label=EXAMPLE,
                                               to=f"{key}_example")]
            steps.append(
                Text(
                    id=f"{key}_example" if example else key,
                    render=_question(key, question, hint, example=example),
                    field=f"draft.{key}",
                    parse=_answer,
                    free_text=True,
                    to=following,
                    choices=[*shown, skip, DELETE],
                )
            )
    return steps


SUBMISSION = Flow(
    name="submission",
    title=N_("Prepare a submission"),
    commands=[
        Command("submission", "intro", N_("prepare a submission (consent and risk first)")),
    ],
    requires=passed,
    redirect="consent",
    delete_answers=True,
    steps=[
        Step(id="intro", render=_intro,
             choices=[Choice(id="go", label=N_("Start"), to="language", do=_begin), DELETE,
                      *DELETE_ANSWERS_CHOICES]),
        Step(
            id="language",
            text=ASK_LANGUAGE,
            choices=[
                *(Choice(id=code, label=name, do=_set_language(code), to=KEYS[0])
                  for code, name in DRAFT_LANGUAGES),
                DELETE,
            ],
        ),
        *_question_steps(),
        Step(id="review", render=_review,
             choices=[Choice(id="build", label=N_("Create the draft"), to="done"), DELETE]),
        Step(id="done", render=handoff, document=document,
             choices=[Choice(id="detail", label=N_("More detail"), to="done_detail"),
                      *AFTER_DRAFT]),
        Step(id="done_detail", render=handoff_detail, choices=AFTER_DRAFT),
        Step(
            id="delete_confirm",
            render=_delete_confirm,
            choices=[
                Choice(
                    id="yes",
                    label=N_("Yes, delete the draft"),
                    do=_delete_draft,
                    effects=[DeleteDraftMessages()],
                    to="deleted",
                )
            ],
        ),
        Step(id="deleted", text=DELETED, back=False),
    ],
)
