"""Find the right UN expert, as a person would use it."""

from __future__ import annotations

import pytest

from flows.catalog import country_mandates, load_catalog, recommend
from flows.countries import country_name
from flows.i18n import NATIVE_NAMES, SHIPPED, translator
from tests.flows.chat import Chat

TELEGRAM_TEXT_LIMIT = 4096  # one Telegram message; the adapter splits longer ones

C = load_catalog()
LANGUAGE_BUTTON = NATIVE_NAMES


def finder(lang: str = "en", channel: str = "terminal") -> Chat:
    chat = Chat(lang=lang, channel=channel)  # type: ignore[arg-type]
    chat.start(LANGUAGE_BUTTON[lang])
    t = translator(lang)
    return chat.press(t("Find the right UN expert"))


def choose(chat: Chat, *situations: str) -> Chat:
    t = translator(chat.session.locale)
    for sid in situations:
        chat.press(t(C.situation(sid).label))
    done = t.n(("Done ({count} chosen)", "Done ({count} chosen)"), len(situations))
    return chat.press(done)


LEAD_LIMIT = 600  # what to do now, before any detail


def why(chat: Chat) -> Chat:
    return chat.press(translator(chat.session.locale)("Why these experts"))


def rules(chat: Chat) -> Chat:
    return chat.press(translator(chat.session.locale)("Working Group rules"))


@pytest.mark.parametrize("situation", [s.id for s in C.situations])
def test_every_situation_leads_to_its_mapped_experts(situation: str) -> None:
    chat = choose(finder(), situation).press("Prefer not to say")
    expected = recommend(C, [situation], None)
    assert len(chat.text) <= LEAD_LIMIT
    for pick in expected.picks:
        chat.expect(pick.mandate.title)
    chat.expect("https://spsubmission.ohchr.org/")
    if expected.unsure:
        chat.expect("No specific expert clearly fits").expect_not("Who to write to")
    if not expected.picks and not expected.consider:
        assert "Why these experts" not in chat.labels
        return
    why(chat)
    for pick in expected.picks + expected.consider:
        chat.expect(pick.mandate.title)
        for reason in pick.reasons:
            chat.expect(reason)
    chat.expect("June 2025")
    assert all(len(r.text) < TELEGRAM_TEXT_LIMIT for r in chat.replies)


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_answer_leads_with_what_to_do_even_with_many_situations(lang: str) -> None:
    many = [s.id for s in C.situations if s.id != "reprisal"][:8]
    chat = choose(finder(lang), *many).send(
        country_name("IR", lang))
    assert len(chat.replies) == 1 and len(chat.text) <= LEAD_LIMIT, len(chat.text)
    chat.expect("https://spsubmission.ohchr.org/")


def test_a_detained_defender_who_organised_a_protest() -> None:
    chat = choose(finder(), "detention", "defender", "assembly").send("Iran")
    chat.expect(
        "Lead expert: Working Group on Arbitrary Detention",
        "Special Rapporteur on the situation of human rights defenders",
        "freedom of peaceful assembly and of association",
        "Special Rapporteur on the situation of human rights in the Islamic Republic of Iran",
    ).expect_not("legal Opinion")
    why(chat).expect("explain why acting together")
    rules(chat).expect("legal Opinion", "March or April, in August or September, and in November")


def test_a_recent_disappearance_shows_the_urgent_procedure() -> None:
    chat = choose(finder(), "disappear").press("Prefer not to say")
    chat.expect("Working Group on Enforced or Involuntary Disappearances")
    rules(chat).expect("Urgent procedure", "February, May and September", "relatives")


def test_something_else_alone_points_to_the_online_form() -> None:
    choose(finder(), "other").press("Prefer not to say").expect(
        "No specific expert clearly fits", "OHCHR staff")


def test_the_dormant_syria_mandate_is_explained() -> None:
    chat = choose(finder(), "torture").send("Syria")
    chat.expect("Commission of Inquiry", "Special Rapporteur on torture")


@pytest.mark.parametrize("country", ["Sudan", "Haiti"])
def test_experts_designated_by_the_high_commissioner_are_explained(country: str) -> None:
    choose(finder(), "killing").send(country).expect(
        "designated by the High Commissioner", "not one of the Special Procedures")


def test_a_country_without_a_mandate_says_thematic_experts_cover_it() -> None:
    why(choose(finder(), "expression").send("France")).expect(
        "no Special Procedures mandate for France")


def test_a_misspelt_country_offers_close_names_to_press() -> None:
    chat = choose(finder(), "expression").send("Myanmr")
    chat.expect("Did you mean")
    chat.press("Myanmar (Burma)").expect("situation of human rights in Myanmar")


def test_an_unknown_country_is_asked_again_politely() -> None:
    chat = choose(finder(), "expression").send("Qwxzv")
    chat.expect("I could not find a country called “Qwxzv”")
    assert chat.session.state == "mandate.country"
    chat.send("Belarus").expect("Belarus")


def test_back_from_the_country_keeps_the_choices() -> None:
    chat = choose(finder(), "detention", "torture").press("Back")
    assert "✓ Detention or arrest" in chat.labels and "✓ Torture or ill-treatment" in chat.labels


def test_start_again_forgets_the_answers() -> None:
    chat = choose(finder(), "detention").press("Prefer not to say").press("Start again")
    assert "✓ Detention or arrest" not in chat.labels
    assert chat.session.history[-1] == "menu.main"


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_whole_finder_in_each_language(lang: str) -> None:
    t = translator(lang)
    chat = choose(finder(lang), "detention")
    chat.expect(t("In which country did it happen? Type the country's name, in any language, "
                  "or press “Prefer not to say”."))
    chat.send(country_name("IR", lang))
    chat.expect(t("Lead expert:"), C.mandate("wgad").name_in(lang),
                "https://spsubmission.ohchr.org/")
    why(chat).expect(t(C.mandate("wgad").description),
                     t(C.fact("online_form").text, **C.fact("online_form").values))


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("mandate", [m for m in country_mandates(C)], ids=lambda m: m.id)
def test_every_country_mandate_is_reached_by_typing_its_name(lang: str, mandate: object) -> None:
    from flows.catalog import Mandate

    assert isinstance(mandate, Mandate) and mandate.country is not None
    chat = choose(finder(lang), "expression").send(country_name(mandate.country.iso2, lang))
    chat.expect(mandate.name_in(lang))


def test_telegram_users_are_told_the_chat_is_not_end_to_end_encrypted() -> None:
    chat = Chat(channel="telegram").send("/start")
    chat.expect("not end-to-end encrypted", "OHCHR online form", "Proton Mail", "Signal")
    terminal = Chat(channel="terminal").send("/start")
    terminal.expect("stays on this computer").expect_not("Telegram")


def test_haitis_unconfirmed_status_is_told_and_no_list_is_pointed_to() -> None:
    chat = choose(finder(), "killing").send("Haiti")
    chat.expect("has not been confirmed")
    why(chat).expect_not("Look for it in the OHCHR list")


def test_jerusalem_is_asked_about_not_guessed() -> None:
    choose(finder(), "expression").send("Jerusalem").expect("Did you mean")


def test_forced_labour_tells_of_the_merged_mandate() -> None:
    choose(finder(), "slavery").press("Prefer not to say").expect(
        "merged", "https://spsubmission.ohchr.org/").expect_not("No specific expert")


def test_a_stale_press_or_typed_text_gets_one_line_and_the_buttons_not_the_result() -> None:
    chat = choose(finder(), "detention").send("Belarus")
    old = chat.button("Why these experts").id
    chat.press("Why these experts").press("Back")
    chat.press_id(old)
    assert len(chat.replies) == 1
    chat.expect("earlier message").expect_not("Lead expert")
    assert "Why these experts" in chat.labels
    chat.send("hello")
    assert len(chat.replies) == 1
    chat.expect("answer with the buttons").expect_not("Lead expert")
    chat.send("/nonsense")
    assert len(chat.replies) == 1 and "Why these experts" in chat.labels


def test_a_press_moves_on_in_place() -> None:
    chat = choose(finder(), "detention").send("Belarus")
    assert not chat.replies[0].edit  # typed text: a new message
    chat.press("Why these experts")
    assert chat.replies[0].edit  # a press: the next screen replaces the message pressed


def test_a_reprisal_for_working_with_the_un_leads_to_the_reprisal_channels() -> None:
    # Relatives detained after a UN side event.
    chat = choose(finder(), "detention", "reprisal").send("Belarus")
    chat.expect("Special Rapporteur on the situation of human rights defenders",
                "ohchr-reprisals@un.org", "hrcpresidency@un.org", "/reprisal")
    assert len(chat.text) <= LEAD_LIMIT + 200  # the reprisal channels come on top
    chat.press("Report a reprisal").expect("in immediate danger?")


@pytest.mark.parametrize("region", ["Crimea", "Tigray", "Tibet"])
def test_a_region_is_asked_about_never_guessed_as_another_country(region: str) -> None:
    chat = choose(finder(), "detention").send(region)
    chat.expect(f"I could not find a country called “{region}”")
    assert chat.session.state == "mandate.country"
    assert not any(label for label in chat.labels if label not in (
        "Prefer not to say", "Back", "Main menu", "Quick exit"))


def test_toxic_waste_dumping_leads_with_the_toxics_expert() -> None:
    chat = choose(finder(), "toxic").press("Prefer not to say")
    chat.expect("Lead expert: Special Rapporteur on the implications for human rights of the")


def test_a_french_finder_names_the_experts_by_their_official_french_titles() -> None:
    wgad_fr = "Groupe de travail sur la détention arbitraire"
    belarus_fr = "Rapporteur spécial sur la situation des droits de l'homme au Bélarus"
    chat = choose(finder("fr"), "detention").send(country_name("BY", "fr"))
    chat.expect(wgad_fr, belarus_fr).expect_not(
        "Working Group on Arbitrary Detention", "human rights in Belarus")
    why(chat).expect(wgad_fr, belarus_fr).expect_not("Working Group on Arbitrary Detention")


@pytest.mark.parametrize(("locale", "wgad", "belarus"), [
    ("ru", "Рабочая группа по произвольным задержаниям",
     "Специальный докладчик по вопросу о положении в области прав человека в Беларуси"),
    ("ar", "الفريق العامل المعني بالاحتجاز التعسفي",
     "المقرر الخاص المعني بحالة حقوق الإنسان في بيلاروس"),
    ("zh", "任意拘留问题工作组", "白俄罗斯人权状况特别报告员"),
], ids=["ru", "ar", "zh"])
def test_a_finder_names_the_detention_experts_by_their_official_titles(
        locale: str, wgad: str, belarus: str) -> None:
    chat = choose(finder(locale), "detention").send(country_name("BY", locale))
    chat.expect(wgad, belarus).expect_not(
        "Working Group on Arbitrary Detention", "human rights in Belarus")


def test_a_finder_without_an_official_title_in_its_language_shows_the_english_one() -> None:
    ie_mali = next(m for m in C.mandates if m.id == "ie-mali")
    assert "ru" not in ie_mali.titles
    chat = choose(finder("ru"), "detention").send(country_name("ML", "ru"))
    chat.expect(ie_mali.title).expect_not(f"{ie_mali.title} (")
