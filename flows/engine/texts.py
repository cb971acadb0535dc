"""The engine's own vocabulary: button ids, limits and the texts it shows itself
(Back, Main menu, expiry, hints, the personal-data warning, closing words)."""

from __future__ import annotations

from flows.i18n import N_, NP_

CALLBACK_LIMIT = 64
HISTORY_LIMIT = 40

# The buttons that work from any message, however old.
MENU_ID = "menu"
EXIT_ID = "exit"
BACK, DONE, PICK = "<", ">", "~"
ANSWER = "answer"  # the trigger of a typed answer that was read
# Answers to a personal-data warning.
RETYPE, KEEP_DELETED, USE_AS_IS, DELETE_IT = "!r", "!k", "!u", "!d"
# Counter names of the answers to a personal-data warning, for the operator's report.
PD_CHOICE_EVENTS = {
    RETYPE: "pd_retype",
    KEEP_DELETED: "pd_keep_deleted",
    USE_AS_IS: "pd_use_as_is",
    DELETE_IT: "pd_delete",
}

HOME_STATE = "menu.main"
START_STATE = "start.notice"


HINT_BUTTONS = N_(
    "Please answer with the buttons below. There is no need to type details here."
)
EXPIRED = N_("That button belongs to an earlier message. Here is where you are now:")
UNKNOWN_COMMAND = N_("I do not know that command. /help lists the ones I understand.")
EDITED_MESSAGE = N_("I do not read edited messages; please send a new one.")
CHOOSE_ONE = N_("Press at least one button first, then Done.")
LABEL_BACK = N_("Back")
LABEL_EXIT = N_("Quick exit")
CLOSED = N_("Closed.")
WIPED = N_("Done. Everything this bot stored about you has been deleted.")
PD_WARNING = {
    "telegram": N_(
        "Careful: this looks like it could identify someone ({what}). This chat is not "
        "end-to-end encrypted: Telegram and whoever runs this bot could read it.\n\n"
        "You can delete your message now and answer again with placeholders instead: "
        "V1, V2 for victims, P1 for perpetrators, L1 for places."
    ),
    "terminal": N_(
        "Careful: this looks like it could identify someone ({what}). It stays on this "
        "computer, but anyone who can open this computer could read it.\n\n"
        "You can answer again with placeholders instead: V1, V2 for victims, P1 for "
        "perpetrators, L1 for places."
    ),
}
PD_KINDS = {
    "phone": N_("a phone number"),
    "email": N_("an e-mail address"),
    "birth_date": N_("a date of birth"),
    "id_number": N_("an ID or passport number"),
    "address": N_("a street address"),
    "name": N_("a name"),
}
LABEL_RETYPE_DELETE = N_("Delete it, I will use placeholders")
LABEL_RETYPE = N_("I will answer again with placeholders")
LABEL_KEEP_DELETED = N_("Delete it from the chat, keep my answer")
LABEL_USE_AS_IS = N_("Keep it as it is")
LABEL_DELETE_IT = N_("Delete that message now")
DELETED = N_("Deleted from this chat.")
NOT_DELETED = N_(
    "I could not delete that message. Please delete it yourself: press and hold it, then "
    "choose Delete."
)
# Shown only when a deletion of this outcome could not be done (see `Reply.alt`).
NOT_ALL_DELETED = N_(
    "Some messages of this chat could not be deleted by the bot. To remove them, delete "
    "this chat yourself: open the chat's menu and choose Delete chat, or press and hold a "
    "message and choose Delete."
)
# Added after a wipe, when the store counts messages too old for the bot to delete.
WIPE_LEFT_TELEGRAM = NP_(
    "{count} message could not be deleted by the bot (Telegram lets a bot delete messages "
    "only for 48 hours, and some deletions can fail). To remove it, delete this chat "
    "yourself: open the chat's menu and choose Delete chat, or press and hold the message "
    "and choose Delete.",
    "{count} messages could not be deleted by the bot (Telegram lets a bot delete messages "
    "only for 48 hours, and some deletions can fail). To remove them, delete this chat "
    "yourself: open the chat's menu and choose Delete chat, or press and hold a message and "
    "choose Delete.",
)
GATE_FIRST = N_("Before anything is drafted, a few questions on consent and risk.")
LABEL_MENU = N_("Main menu")
LABEL_DONE = N_("Done")
LABEL_DONE_COUNT = NP_("Done ({count} chosen)", "Done ({count} chosen)")
CHECK = "✓ "
