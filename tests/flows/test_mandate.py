"""Find the right UN expert, as a person would use it."""

from __future__ import annotations

import pytest

from flows.catalog import country_mandates, load_catalog, recommend, say
from flows.countries import country_name
from flows.i18n import NATIVE_NAMES, SHIPPED, translator
from flows.mandate import ASK_COUNTRY, GROUPS_BUTTON
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
    """Press each situation where it stands: on the first screen, on the groups' screen,
    or (the sale or sexual exploitation of a child) as "Children" then Yes."""
    t = translator(chat.session.locale)
    wanted = [*situations]
    if "child_abuse" in wanted and "children" not in wanted:
        wanted.insert(wanted.index("child_abuse"), "children")
    pressed = [sid for sid in wanted if C.situation(sid).screen != "follow_up"]
    for sid in pressed:
        if C.situation(sid).screen == "groups":
            chat.press(t(GROUPS_BUTTON)).press(t(C.situation(sid).label)).press(t("Back"))
        else:
            chat.press(t(C.situation(sid).label))
    done = t.n(("Done ({count} chosen)", "Done ({count} chosen)"), len(pressed))
    chat.press(done)
    if chat.session.state == "mandate.child":
        chat.press(t("Yes") if "child_abuse" in situations else t("No"))
    return chat


LEAD_LIMIT = 600  # what to do now, before any detail


def why(chat: Chat) -> Chat:
    return chat.press(translator(chat.session.locale)("Why these experts"))


def rules(chat: Chat) -> Chat:
    return chat.press(translator(chat.session.locale)("Working Group rules"))


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("situation", [s.id for s in C.situations])
def test_every_situation_leads_to_its_mapped_experts(situation: str, lang: str) -> None:
    t = translator(lang)
    chat = choose(finder(lang), situation).press(t("Prefer not to say"))
    expected = recommend(C, [situation], None)
    # The reprisal channels come on top (as in the reprisal test below); where a life is
    # at stake the emergency support follows, in a message of its own.
    lead = chat.replies[0].text
    assert len(lead) <= LEAD_LIMIT + (200 if situation == "reprisal" else 0)
    for pick in expected.picks:
        chat.expect(pick.mandate.name_in(lang))
    chat.expect("https://spsubmission.ohchr.org/")
    if expected.unsure:
        chat.expect(t(C.fact("nothing_fits").text)).expect_not(
            t("Who to write to, for what you described:"), t("Lead expert:"))
    if not expected.picks and not expected.consider:
        assert t("Why these experts") not in chat.labels
        return
    why(chat)
    for pick in expected.picks + expected.consider:
        chat.expect(pick.mandate.name_in(lang))
        for reason in pick.reasons:
            chat.expect(t(reason))
    assert all(len(r.text) < TELEGRAM_TEXT_LIMIT for r in chat.replies)


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_answer_leads_with_what_to_do_even_with_many_situations(lang: str) -> None:
    many = [s.id for s in C.situations if s.id != "reprisal"][:8]
    chat = choose(finder(lang), *many).send(
        country_name("IR", lang))
    # One answer, and (torture is among them) the emergency support after it.
    assert len(chat.replies) == 2 and len(chat.replies[0].text) <= LEAD_LIMIT, chat.text
    assert "https://spsubmission.ohchr.org/" in chat.replies[0].text
    assert say(translator(lang), "emergency_front_line_defenders") in chat.replies[1].text


# Issue 10, finding 2: where a life is at stake the finder says the experts cannot
# protect anyone, and who can help at once.
@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("situation", ["torture", "killing", "disappear"])
def test_a_life_at_stake_gets_the_emergency_support(situation: str, lang: str) -> None:
    t = translator(lang)
    chat = choose(finder(lang), situation).press(t("Prefer not to say"))
    assert len(chat.replies) == 2
    support = chat.replies[1].text
    for fact in ("reprisal_no_physical_protection", "emergency_front_line_defenders",
                 "emergency_protectdefenders_eu", "emergency_access_now"):
        assert say(t, fact) in support, fact


@pytest.mark.parametrize("situation", ["detention", "expression", "law"])
def test_no_emergency_support_where_no_life_is_said_to_be_at_stake(situation: str) -> None:
    chat = choose(finder(), situation).press("Prefer not to say")
    assert len(chat.replies) == 1
    chat.expect_not("Front Line Defenders", "physical protection")


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
    chat.expect(t(ASK_COUNTRY))
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


REGION_ASK = ("I do not know which country's expert, if any, covers “{name}”: the information "
              "this bot relies on does not say. Type the name of a country, or press “Prefer "
              "not to say”. The experts on what happened act everywhere, and through the online "
              "form, {url}, OHCHR staff pass what you send to the right experts.")
FORM = "https://spsubmission.ohchr.org/"


@pytest.mark.parametrize(("region", "lang"), [
    ("Crimea", "en"), ("Tigray", "en"), ("Tibet", "en"), ("Xinjiang", "en"), ("Donbas", "en"),
    ("Kashmir", "en"), ("Abkhazia", "en"), ("Transnistria", "en"), ("Nagorno-Karabakh", "en"),
    ("Papua", "en"), ("Somaliland", "en"), ("South Ossetia", "en"), ("Crimée", "fr"),
    ("Cachemira", "es"), ("القرم", "ar"), ("西藏", "zh"), ("Крым", "ru"),
])
def test_a_region_is_asked_about_never_guessed_as_another_country(region: str, lang: str) -> None:
    t = translator(lang)
    chat = choose(finder(lang), "detention").send(region)
    chat.expect(t(REGION_ASK, name=region, url=FORM))
    assert chat.session.state == "mandate.country"
    assert not any(label for label in chat.labels if label not in (
        t("Prefer not to say"), t("Back"), t("Main menu"), t("Quick exit")))
    # Asked, it still goes on: a country, or none.
    chat.press(t("Prefer not to say")).expect(C.mandate("wgad").name_in(lang))


@pytest.mark.parametrize("place", ["Gaza", "West Bank", "East Jerusalem", "Cisjordanie", "غزة"])
def test_the_occupied_palestinian_territory_is_recognised(place: str) -> None:
    choose(finder(), "detention").send(place).expect(
        "Palestinian territories occupied since 1967")


def test_a_region_the_reference_ties_to_a_country_mandate_reaches_it() -> None:
    # reference/mandates.json expert-sudan.topics: "El Fasher and Darfur atrocities".
    choose(finder(), "killing").send("Darfur").expect(
        "Expert on human rights in the Sudan (designated by the High Commissioner)")


def test_slavery_alone_and_nothing_fits_have_no_empty_heading() -> None:
    for situation, country in (("slavery", None), ("slavery", "France"), ("other", "France"),
                               ("children", None)):
        chat = choose(finder(), situation)
        chat = chat.press("Prefer not to say") if country is None else chat.send(country)
        chat.expect(FORM).expect_not("Who to write to", "Lead expert", "experts above")
        assert "Why these experts" not in chat.labels


def test_a_detained_child_goes_to_arbitrary_detention_not_the_sale_of_children() -> None:
    # A 16-year-old detained over a drawing: nothing about sale or sexual exploitation.
    chat = choose(finder(), "detention", "children").send("Belarus")
    chat.expect("Lead expert: Working Group on Arbitrary Detention").expect_not(
        "sale, sexual exploitation")
    why(chat).expect("Special Rapporteur on torture").expect_not("sale, sexual exploitation")


def test_children_asks_once_whether_a_child_was_sold_or_sexually_exploited() -> None:
    chat = choose(finder(), "detention")
    assert chat.session.state == "mandate.country"  # no question without "Children"
    chat = finder().press("Children").press("Done (1 chosen)")
    chat.expect("Was a child sold, trafficked, sexually exploited or sexually abused?")
    chat.press("Yes").press("Prefer not to say").expect(
        "Lead expert: Special Rapporteur on the sale, sexual exploitation and sexual abuse of "
        "children")


def test_the_child_answer_does_not_outlive_children() -> None:
    chat = finder().press("Children").press("Done (1 chosen)").press("Yes")
    chat.press("Back").press("Back")  # to the first screen: "Children" is pressed off
    assert chat.session.state == "mandate.what" and "✓ Children" in chat.labels
    chat.press("Children").press("Torture or ill-treatment").press("Done (1 chosen)")
    chat.press("Prefer not to say").expect("Lead expert: Special Rapporteur on torture")
    chat.expect_not("sale, sexual exploitation")


@pytest.mark.parametrize(("situation", "lead"), [
    ("disability", "Special Rapporteur on the rights of persons with disabilities"),
    ("older", "Independent Expert on the enjoyment of all human rights by older persons"),
    ("albinism", "Independent Expert on the enjoyment of human rights by persons with albinism"),
    ("leprosy", "Special Rapporteur on the elimination of discrimination against persons "
                "affected by leprosy and their family members"),
])
def test_each_groups_rights_leads_with_its_expert(situation: str, lead: str) -> None:
    chat = finder().press("Disability, older age, albinism or leprosy")
    chat.press(C.situation(situation).label).press("Done (1 chosen)")
    chat.press("Prefer not to say").expect(f"Lead expert: {lead}")


def test_a_group_pressed_shows_on_the_first_screen_and_discrimination_still_lists_them() -> None:
    chat = finder().press("Disability, older age, albinism or leprosy").press("Older persons")
    chat.press("Back")
    assert "✓ Disability, older age, albinism or leprosy" in chat.labels
    chat.press("Detention or arrest").press("Done (2 chosen)").send("Iran")
    chat.expect("Lead expert: Working Group on Arbitrary Detention", "older persons")
    why(choose(finder(), "racism").press("Prefer not to say")).expect(
        "persons with disabilities", "older persons", "albinism", "leprosy")


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_opt_expert_is_told_with_its_mandates_framing(lang: str) -> None:
    t = translator(lang)
    chat = why(choose(finder(lang), "expression").send("Gaza"))
    framing = C.fact("opt_mandate")
    chat.expect(t(framing.text, **framing.values)).expect_not(
        t(C.fact("country_mandate").text))


def test_other_country_experts_still_act_on_any_issue() -> None:
    why(choose(finder(), "expression").send("Iran")).expect(
        "can act on any human rights issue in that country")


@pytest.mark.parametrize("lang", SHIPPED)
def test_an_expert_without_a_web_page_says_what_to_do(lang: str) -> None:
    t = translator(lang)
    # The expert on expression has no confirmed page; the one on cultural rights has one.
    chat = why(choose(finder(lang), "expression").press(t("Prefer not to say")))
    no_page = t(C.fact("check_ohchr_list").text)
    mailbox = C.fact("general_mailbox")
    assert chat.text.count(no_page) == 1
    chat.expect(t(mailbox.text, **mailbox.values), FORM)


def test_when_every_expert_has_a_page_no_mailbox_is_offered() -> None:
    why(choose(finder(), "torture").press("Prefer not to say")).expect(
        "https://www.ohchr.org/en/special-procedures/sr-torture").expect_not(
        "urgent-action@ohchr.org", "No web page")


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
