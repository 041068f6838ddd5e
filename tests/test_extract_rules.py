"""The extraction rules on sentences that are not in the seed: status, attribution, time, unknown names."""

from __future__ import annotations

import pytest

from conflictkg.extract import extract
from conflictkg.gazetteer import load


def en(mention) -> str | None:
    if mention is None:
        return None
    return load().entries[mention.id].en if mention.id else mention.text


def events(text: str):
    return extract(text)._.events


def only(text: str, cls: str | None = None, lang: str = "ar"):
    found = [e for e in extract(text, lang)._.events if cls is None or e.cls == cls]
    assert len(found) == 1, [(e.cls, e.status, en(e.place)) for e in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("سيطرت قوات سوريا الديمقراطية على بلدة هجين.", "completed"),
        ("نفى المتحدث باسم قوات سوريا الديمقراطية سيطرة داعش على بلدة هجين.", "denied"),
        ("لم تسيطر قوات سوريا الديمقراطية على بلدة هجين.", "denied"),
        ("قد تتمكن قوات سوريا الديمقراطية من دخول بلدة هجين قريباً.", "possible"),
        ("تستعد قوات سوريا الديمقراطية لاقتحام بلدة هجين.", "planned"),
        ("تتقدم قوات سوريا الديمقراطية باتجاه بلدة هجين.", "ongoing"),
    ],
)
def test_status_follows_the_words_around_the_trigger(text, status):
    e = only(text)
    assert e.status == status
    assert en(e.place) == "Hajin"


def test_a_bare_verbal_noun_claims_nothing():
    # «السيطرة على» with no cue says nothing about whether it happened: no event
    assert not [e for e in events("السيطرة على بلدة هجين مسألة وقت.") if e.cls == "TerritoryTaken"]


def test_planned_or_denied_never_yields_control():
    for text in ("تستعد قوات سوريا الديمقراطية لاقتحام بلدة هجين.", "نفت مصادر محلية سيطرة داعش على بلدة هجين."):
        assert all(not e.happened for e in events(text))


def test_attribution_to_unnamed_sources_and_continuation():
    text = (
        "وقالت مصادر محلية إن قوات سوريا الديمقراطية سيطرت على بلدة هجين. "
        "وأضافت أن داعش انتقلت قيادته إلى بلدة الباغوز."
    )
    found = events(text)
    taken = next(e for e in found if e.cls == "TerritoryTaken")
    assert en(taken.attribution.source) == "local sources"
    assert en(taken.actor1) == "Syrian Democratic Forces"


def test_narrator_claims_have_no_attribution():
    e = only("سيطرت قوات سوريا الديمقراطية على بلدة هجين.")
    assert e.attribution is None


def test_yesterday_is_one_day_back_with_day_precision():
    e = only("استعادت القوات العراقية أمس مدينة عنه.")
    assert (e.time_offset, e.time_precision, e.time_expression) == (-1, 1, "أمس")


def test_unknown_town_is_captured_by_its_cue_word():
    e = only("سيطر الجيش السوري على بلدة الزهيرية الجديدة.")
    assert e.place.id is None and e.place.type == "Town" and e.place.text.startswith("بلدة")


def test_the_army_is_read_by_the_country_of_the_place():
    syria = only("سيطر الجيش على مدينة الميادين.")
    iraq = only("سيطر الجيش على مدينة راوة.")
    assert en(syria.actor1) == "Syrian Arab Army"
    assert en(iraq.actor1) != en(syria.actor1) and "Iraq" in en(iraq.actor1)


def test_clitics_and_quotes_around_names():
    e = only("وسيطرت «قسد» على حقل العمر النفطي في ريف دير الزور.")
    assert en(e.actor1) == "Syrian Democratic Forces"
    assert "Omar" in en(e.place)


def test_outskirts_are_an_advance_not_a_taking():
    e = only("وصلت القوات العراقية إلى مشارف مدينة القائم.")
    assert e.cls == "Advance" and e.geo_precision == 2


def test_offsets_point_at_the_original_characters():
    text = "وسيطرتْ «قوات سوريا الديموقراطية» على حقلِ التنكِ النفطيّ."
    e = only(text)
    assert text[e.char_start : e.char_end].startswith("وسيطرتْ «قوات")  # whole tokens, diacritics kept
    assert "التنكِ" in text[e.char_start : e.char_end]


# English: the same ontology, gazetteer, status and attribution logic with English words (patterns/en.yaml).


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("The SDF took Hajin.", "completed"),
        ("The SDF did not take Hajin.", "denied"),
        ("The SDF may take Hajin within days.", "possible"),
        ("The SDF is preparing to storm Hajin.", "planned"),
    ],
)
def test_english_status(text, status):
    e = only(text, lang="en")
    assert (e.status, en(e.actor1), en(e.place)) == (status, "Syrian Democratic Forces", "Hajin")


def test_english_attribution_at_the_end_of_the_sentence_and_weekday():
    e = only(
        "The Syrian Democratic Forces took the Al-Tanak oil field on Tuesday, a spokesman for the coalition said.",
        lang="en",
    )
    assert e.attribution is not None and e.attribution.source.role_en == "spokesman"
    assert e.attribution.source.affiliation == "us-led-coalition"
    assert (e.weekday, e.time_precision) == (2, 1)


def test_english_unknown_town_by_cue():
    e = only("Government forces recaptured the town of Al-Hamdan yesterday.", lang="en")
    assert e.place.id is None and e.place.text == "town of Al-Hamdan"
    assert e.actor1.id is None  # «government forces» of an unknown country stays unresolved, not guessed


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "أعلنت وزارة الدفاع الروسية أن الجيش السوري استعاد السيطرة على مدينة الميادين بالكامل.",
            ("TerritoryRegained", "completed", "Syrian Arab Army", None, "Mayadin"),
        ),
        (
            "وذكر المرصد السوري لحقوق الإنسان أن اشتباكات عنيفة اندلعت بين قسد وعناصر داعش في محيط بلدة هجين.",
            ("ArmedClash", "ongoing", "Syrian Democratic Forces", "Islamic State", "Hajin"),
        ),
        (
            "نفى مصدر عسكري عراقي الأنباء عن دخول القوات العراقية إلى مدينة القائم.",
            # a state force entering a town of its own country takes it back
            ("TerritoryRegained", "denied", "Iraqi Security Forces", None, "Al-Qa'im, Iraq"),
        ),
        (
            "من المرجح أن تبدأ قوات سوريا الديمقراطية هجوماً على حقل كونيكو للغاز خلال الأيام المقبلة.",
            ("ArmedClash", "possible", "Syrian Democratic Forces", None, "Conoco gas field"),
        ),
        (
            "وسلّم تنظيم داعش مدينة الرقة إلى قوات سوريا الديمقراطية بموجب اتفاق رعاه وجهاء العشائر.",
            ("TerritoryHandover", "completed", "Islamic State", "Syrian Democratic Forces", "Raqqa"),
        ),
    ],
)
def test_sentences_in_other_outlets_styles(text, want):
    e = only(text)
    assert (e.cls, e.status, en(e.actor1), en(e.actor2), en(e.place)) == want


def test_sources_named_in_other_styles():
    assert (
        en(
            only(
                "وذكر المرصد السوري لحقوق الإنسان أن اشتباكات عنيفة اندلعت بين قسد وعناصر داعش في محيط بلدة هجين."
            ).attribution.source
        )
        == "Syrian Observatory for Human Rights"
    )
    assert only("نفى مصدر عسكري عراقي الأنباء عن دخول القوات العراقية إلى مدينة القائم.").attribution is not None


def test_sides_named_after_the_place():
    e = only("ولا تزال الاشتباكات مستمرة في حي الجبيلة بين الجيش السوري ومسلحي داعش، وسط قصف مدفعي مكثف.")
    assert (en(e.actor1), en(e.actor2), en(e.place)) == ("Syrian Arab Army", "Islamic State", "Al-Jubaila")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("وتخطط قوات سوريا الديمقراطية لشن هجوم واسع على بلدة هجين آخر معاقل التنظيم شرق الفرات.", "Hajin"),
        ("وأعلنت هيئة الحشد الشعبي أن قواتها سيطرت على منفذ حصيبة الحدودي مع سوريا.", "Husaybah"),
    ],
)
def test_a_place_that_locates_another_is_not_a_second_target(text, place):
    assert en(only(text).place) == place


def test_english_actor_speaking_for_itself():
    e = only(
        "The U.S.-backed Syrian Democratic Forces said on Sunday they had captured the al-Omar oil field from "
        "Islamic State.",
        lang="en",
    )
    assert (e.cls, e.status, en(e.actor1), en(e.attribution.source)) == (
        "TerritoryTaken",
        "completed",
        "Syrian Democratic Forces",
        "Syrian Democratic Forces",
    )
    assert "Omar" in en(e.place)


def test_an_announcement_with_an_aside_in_commas():
    e = only("دمشق ــ أعلن الجيش السوري، اليوم الجمعة، استعادة السيطرة الكاملة على مدينة دير الزور بعد معارك عنيفة.")
    assert (e.cls, e.status, en(e.actor1), en(e.place)) == (
        "TerritoryRegained",
        "completed",
        "Syrian Arab Army",
        "Deir ez-Zor",
    )
    assert en(e.attribution.source) == "Syrian Arab Army"


def test_after_a_verb_the_actor_is_the_subject_not_the_besieged():
    e = only("وتحاصر قوات الحشد الشعبي مدينة القائم من ثلاثة محاور.")
    assert (e.cls, en(e.actor1), e.actor2) == ("Siege", "Popular Mobilization Forces", None)
    noun = only("وواصلت القوات العراقية محاصرة داعش في مدينة راوة.")
    assert (en(noun.actor1), en(noun.actor2)) == ("Iraqi Security Forces", "Islamic State")


# --------------------------------------------------------------------------- rules added with the gold corpus (issue 4)


def test_a_possessed_noun_is_the_verbal_noun():
    # «سيطرتها» is «السيطرة» + «ها», not a word of its own
    e = only("أعلن الجيش العراقي سيطرته على قضاء الرطبة.", "TerritoryRegained")
    assert (e.status, en(e.place)) == ("completed", "Rutba District")


def test_an_apposition_after_a_comma_is_not_a_second_target():
    found = events("سيطرت قوات سوريا الديمقراطية على حقل العمر، أكبر حقول النفط في سوريا.")
    assert [en(e.place) for e in found] == ["Al-Omar field"]


def test_a_state_force_at_home_takes_back_and_a_militia_beside_it_too():
    # a place the gazetteer lacks lies in the country of the places named before it
    e = only("تتواصل المعارك في ريف دير الزور. وسيطر الجيش السوري على بلدة الشولا.", "TerritoryRegained")
    assert e.place.id is None and en(e.actor1) == "Syrian Arab Army"
    assert only("دخلت قوات الحشد الشعبي قضاء سنجار.").cls == "TerritoryRegained"
    assert only("سيطرت قوات سوريا الديمقراطية على بلدة الشولا.", "TerritoryTaken").cls == "TerritoryTaken"
    assert only("Iraqi forces took the town of Rutba.", lang="en").cls == "TerritoryRegained"


def test_liberation_by_a_non_state_group_is_a_taking_and_the_loser_is_the_other_side():
    e = only("وحررت قوات سوريا الديمقراطية مدينة الطبقة من تنظيم داعش.")
    assert (e.cls, en(e.actor1), en(e.actor2)) == ("TerritoryTaken", "Syrian Democratic Forces", "Islamic State")


def test_supporters_join_the_subject_and_are_not_it():
    e = only("وتابعت القوات العراقية، بإسناد من طيران التحالف الدولي، تقدمها نحو بلدة هيت.")
    assert en(e.actor1) == "Iraqi Security Forces"
    assert [en(a) for a in e.assoc1] == ["Combined Joint Task Force – Operation Inherent Resolve"]
    e = only("Iraqi forces, backed by coalition aircraft, are advancing towards Heet.", lang="en")
    assert en(e.actor1) == "Iraqi Security Forces"


def test_the_city_refers_back_to_the_one_city_named_last():
    found = events("وصلت القوات العراقية إلى مشارف مدينة هيت. وتستعد القوات لاقتحام المدينة.")
    assert ("planned", "Hīt") in {(e.status, en(e.place)) for e in found}
    # two cities named together: «المدينة» could be either, so it names none
    found = events("تتقدم القوات العراقية نحو مدينتي هيت والرطبة. وتستعد القوات لاقتحام المدينة.")
    assert all(e.status != "planned" for e in found)


def test_the_field_refers_back_in_english():
    found = extract("SDF fighters seized the Al-Tanak oil field. Engineers are clearing mines in the field.", "en")
    assert [(e.cls, en(e.place)) for e in found._.events][-1] == ("Demining", "Al-Tanak oil field")


def test_a_hedge_that_opens_the_sentence_governs_it():
    found = events("ويرجح محللون أن يواصل الجيش السوري تقدمه، تمهيداً للوصول إلى مدينة البوكمال.")
    assert found and {e.status for e in found} == {"possible"}


def test_a_denial_that_opens_the_sentence_reaches_a_far_trigger():
    e = only("ونفت مصادر محلية ما تناقلته صفحات على مواقع التواصل الاجتماعي عن سيطرة داعش على بلدة هجين.")
    assert e.status == "denied"


def test_a_claim_the_sentence_then_rejects_is_denied():
    e = only("زعم التنظيم أن مقاتليه استعادوا السيطرة على بلدة هجين، وهو ما نفته قوات سوريا الديمقراطية.")
    assert (e.cls, e.status) == ("TerritoryRegained", "denied")


def test_two_days_ago_and_no_date_for_what_has_not_happened():
    e = only("واستعاد الجيش العراقي قبل يومين بلدة العبيدي.")
    assert (e.time_offset, e.time_precision) == (-2, 1)
    planned = only("وأعلن الجيش العراقي أمس أنه يستعد لاقتحام بلدة العبيدي.")
    assert (planned.status, planned.time_offset, planned.time_precision) == ("planned", None, 3)


def test_english_purpose_and_negation_words_are_read():
    assert only("The army launched an offensive to retake Anah.", lang="en").status == "planned"
    assert only("There was no fighting in Hajin.", lang="en").status == "denied"  # «no» is a word, not YAML false


def test_an_agreement_between_two_sides_is_a_negotiation_and_one_side_is_none():
    e = only("وتوصل وجهاء العشائر العربية إلى اتفاق مع تنظيم داعش.", "Negotiation")
    assert (en(e.actor1), en(e.actor2), e.status) == ("Arab tribes", "Islamic State", "completed")
    assert not [e for e in events("وقال التحالف الدولي إنه لم يكن طرفاً في المفاوضات.") if e.cls == "Negotiation"]


def test_a_completed_change_with_no_actor_takes_the_subject_of_the_report():
    found = events("تقدم الجيش العراقي نحو قضاء عنه. وتمت السيطرة على بلدة العبيدي.")  # «تمت»: it was done
    taken = [e for e in found if e.cls.startswith("Territory")]
    assert taken and all(e.actor1 is not None for e in taken)


def test_breaking_a_siege_is_an_advance_and_the_besieger_the_other_side():
    e = only("تمكن الجيش السوري من كسر الحصار الذي فرضه داعش على مطار دير الزور العسكري.")
    assert (e.cls, e.status, en(e.actor1), en(e.actor2)) == (
        "Advance",
        "completed",
        "Syrian Arab Army",
        "Islamic State",
    )


def test_landmarks_and_direction_adjectives_in_unknown_names():
    e = only("وسيطر مقاتلو قسد على المستشفى الوطني.")
    assert e.place.id is None and e.place.text == "المستشفى الوطني"
    e = only("واستعاد الجيش السوري قرية المويلح الشرقي بعد معارك.")
    assert e.place.text == "قرية المويلح الشرقي"


def test_demining_and_fortification_need_their_objects():
    found = events("سيطرت قوات سوريا الديمقراطية على حقل العمر. وباشرت فرق الهندسة تمشيط الحقل من الألغام.")
    assert [(e.cls, en(e.place)) for e in found][-1] == ("Demining", "Al-Omar field")
    assert not events("وباشرت القوات تمشيط الأحياء من الخلايا النائمة.")
    assert only("وعزز الجيش السوري نقاطه في محيط مدينة الميادين.").cls == "Fortification"


def test_a_verb_after_the_verbal_noun_says_what_became_of_it():
    e = only("وقالت مصادر أهلية إن اشتباكات عنيفة دارت فجر اليوم في محيط بلدة الشحيل.")
    assert e.status == "completed"
    assert not events("وأكدت المصادر أن المعارك توقفت داخل بلدة الشحيل.")
    assert only("Heavy clashes took place near Hajin.", lang="en").status == "completed"


def test_the_way_a_force_goes_is_not_where_it_goes():
    found = events("وتتقدم قوات النظام على طول الضفة الشرقية للفرات نحو بلدة الشحيل.")
    assert [en(e.place) for e in found if e.cls == "Advance"] == ["Al-Shuhayl"]


def test_a_written_date_and_the_day_after_it():
    found = extract("Iraqi forces retook Anah on September 22 and entered Rawa the next day.", "en")._.events
    assert (found[0].month_day, found[0].time_precision) == ((9, 22), 1)
    e = only("واستعاد الجيش العراقي مدينة عنه في 22 أيلول.")
    assert e.month_day == (9, 22)
    found = events("فيوم الخميس الماضي دخلت قوات سوريا الديمقراطية بلدة الشحيل، وفي اليوم التالي سيطرت على بلدة ذيبان.")
    assert [e.weekday for e in found] == [4, 5]


def test_an_announcement_claims_the_verbal_noun_it_names():
    e = only("أعلن قائد ميداني في قوات سوريا الديمقراطية مساء أمس، من داخل حقل الجفرة، تحرير بلدة الشحيل من داعش.")
    assert (e.cls, e.status, en(e.actor2)) == ("TerritoryTaken", "completed", "Islamic State")


def test_a_landmark_whose_adjective_is_also_a_name():
    e = only("وسيطرت قوات سوريا الديمقراطية على الملعب البلدي.")
    assert e.place.id is None and e.place.text == "الملعب البلدي"


def test_english_relative_clause_after_a_comma_and_objects_of_verbs():
    found = extract("The column moved from Anah, which the army retook last month, towards Rawa.", "en")._.events
    assert ("TerritoryRegained", "Anah") in {(e.cls, en(e.place)) for e in found}
    e = only("Syrian troops were fighting Islamic State militants around Mayadin.", lang="en")
    assert (en(e.actor1), en(e.actor2)) == ("Syrian Arab Army", "Islamic State")
    e = only("Engineers are clearing mines the militants planted in Mayadin.", lang="en")
    assert e.actor1 is None and en(e.actor2) == "Islamic State"


def test_a_denied_or_hedged_verbal_noun_is_an_event_with_that_status():
    e = only("ونفت قيادة قسد ما نشرته صفحات موالية عن دخول الجيش السوري إلى بلدة الشحيل.", "TerritoryRegained")
    assert e.status == "denied"


def test_english_landmarks_named_before_their_head_word_and_their_owner():
    found = extract("SDF fighters stormed Tabqa's Central Hospital and the old stadium.", "en")._.events
    assert [e.place.text for e in found] == ["Central Hospital", "old stadium"]


def test_english_verbs_with_their_object_in_between():
    e = only("The jihadists expelled the Syrian army from Mayadin.", lang="en")
    assert (en(e.actor1), en(e.actor2), en(e.place)) == ("Islamic State", "Syrian Arab Army", "Mayadin")
    e = only("The SDF denied that ISIS had handed Hajin over without a fight.", lang="en")
    assert (e.cls, e.status) == ("TerritoryHandover", "denied")


def test_english_talks_between_several_parties_and_would_as_intent():
    e = only("Talks between the Raqqa Civil Council, tribal elders and Islamic State ended on Monday.", lang="en")
    assert (en(e.actor1), [en(a) for a in e.assoc1], en(e.actor2)) == (
        "Raqqa Civil Council",
        ["Arab tribes"],
        "Islamic State",
    )
    found = extract("The PMF said it would move to cut the road between Tal Afar and Sinjar.", "en")._.events
    assert found and {(e.cls, e.status) for e in found} == {("SupplyLinesCut", "planned")}


def test_the_day_after_counts_from_an_event_dated_on_its_own():
    found = events("يوم السبت دخلت قسد بلدة الشحيل، وفي اليوم التالي سيطرت على بلدة ذيبان وعلى بلدة الطيانة.")
    assert [e.weekday for e in found] == [6, 7, 7]


def test_english_passive_and_securing():
    e = only("Rutba was retaken by Iraqi forces on Friday.", lang="en")
    assert (e.cls, en(e.actor1), en(e.place), e.weekday) == ("TerritoryRegained", "Iraqi Security Forces", "Rutba", 5)
    e = only("The SDF secured the town of Hajin.", lang="en")
    assert (e.cls, e.status, en(e.place)) == ("TerritoryTaken", "completed", "Hajin")


def test_names_listed_after_a_dual_cue_and_a_control_verb_before_its_subject():
    found = events("وفرضت قوات البيشمركة أمس سيطرتها على حقلي باي حسن وآفانا.")
    assert [(e.status, en(e.place)) for e in found] == [
        ("completed", "Bai Hassan oil field"),
        ("completed", "Avana oil field"),
    ]
    # without the dual cue a bare «العمر» is a word, not the Al-Omar field
    assert not events("وفرضت قوات البيشمركة سيطرتها على العمر كله.")


def test_demining_where_the_report_already_is_and_not_where_two_places_were_named():
    found = events("دخل الجيش العراقي مدينة هيت أمس. وتواصل فرق الهندسة نزع العبوات الناسفة من الشوارع والأبنية.")
    assert [(e.cls, en(e.place)) for e in found][-1] == ("Demining", "Hīt")
    found = events("دخل الجيش العراقي مدينتي هيت والرطبة. وتواصل فرق الهندسة نزع العبوات الناسفة من الشوارع.")
    assert not [e for e in found if e.cls == "Demining"]


def test_a_date_that_closes_the_sentence_and_a_refusal():
    e = only("The SDF stormed the town of Hajin, where a few holdouts remained, on Nov. 3.", lang="en")
    assert e.month_day == (11, 3)
    e = only("ورفضت قوات سوريا الديمقراطية تسليم بلدة هجين إلى الجيش السوري.")
    assert (e.cls, e.status) == ("TerritoryHandover", "denied")


def test_blank_lines_between_paragraphs_are_not_sentences_back():
    text = (
        "سيطرت قوات سوريا الديمقراطية على حقل العمر.\n\nوقالت مصادر محلية إن الاشتباكات هدأت."
        "\n\nوباشرت الفرق تمشيط الحقل من الألغام."
    )
    assert [(e.cls, en(e.place)) for e in events(text)][-1] == ("Demining", "Al-Omar field")


def test_a_date_inside_a_relative_clause_is_not_the_main_verbs():
    text = "A column was advancing from Anah, which the army retook on September 22 towards Rawa."
    found = extract(text, "en")._.events
    advance = [e for e in found if e.cls == "Advance"]
    assert all(e.month_day is None for e in advance)


def test_a_list_of_places_closed_by_and_and_a_bare_weekday():
    found = extract("Iraqi forces retook Rutba, Heet and Haditha Friday.", "en")._.events
    assert [e.weekday for e in found] == [5, 5, 5] and len({en(e.place) for e in found}) == 3
    assert [en(e.place) for e in extract("The SDF took Hajin, Syria, on Friday.", "en")._.events] == ["Hajin"]


def test_attacks_on_a_side_and_expulsions_from_a_place():
    e = only("وشن التنظيم هجوماً على مواقع الجيش العراقي في قضاء عنه.")
    assert (e.cls, e.status, en(e.actor1), en(e.actor2)) == ("ArmedClash", "completed", "Islamic State", "Iraqi Army")
    e = only("Islamic State launched a counterattack on SDF positions in Hajin.", lang="en")
    assert (e.status, en(e.actor1), en(e.actor2)) == ("completed", "Islamic State", "Syrian Democratic Forces")
    e = only("وطردت قوات سوريا الديمقراطية مسلحي داعش من بلدة هجين.")
    assert (e.cls, en(e.place)) == ("TerritoryTaken", "Hajin")


def test_a_complement_after_an_aside_and_the_pluperfect_and_future_prefixes():
    e = only("وتمكنت القوات العراقية، مع ساعات الفجر الأولى، من تحرير قرية البوحياة.")
    assert (e.cls, e.status) == ("TerritoryTaken", "completed")  # the village's country is not known
    e = only("وكانت قوات سوريا الديمقراطية قد أعلنت سيطرتها على بلدة هجين.")
    assert e.status == "completed"  # «كانت … قد» is the pluperfect, not «قد» the hedge
    e = only("وستشهد المرحلة الثالثة تقدم قوات سوريا الديمقراطية نحو بلدة هجين.")
    assert e.status == "planned"


def test_encircling_in_the_present_after_before_and_lifting_explosives():
    found = events("دخل الجيش العراقي بلدة العبيدي قبل أن يطوق مدينة القائم. وباشرت الفرق برفع العبوات داخل القائم.")
    assert ("Siege", "completed", "Al-Qa'im, Iraq") in {(e.cls, e.status, en(e.place)) for e in found}
    assert ("Demining", "Al-Qa'im, Iraq") in {(e.cls, en(e.place)) for e in found}


def test_a_place_in_an_operations_name_is_no_place():
    found = events("وتتواصل معركة «عاصفة الجزيرة» في ريف دير الزور.")
    assert {en(e.place) for e in found} == {"Deir ez-Zor Governorate"}
    found = extract("The SDF pushed on with its Jazira Storm offensive towards Hajin.", "en")._.events
    assert {en(e.place) for e in found} == {"Hajin"}


def test_a_group_two_steps_from_a_state_force_takes_back_and_the_article_gives_the_country():
    # Tribal Mobilization is a member of the PMF, which is allied with the Iraqi Security Forces
    assert only("ودخل الحشد العشائري قضاء عنه.").cls == "TerritoryRegained"
    # the unknown village is named before any known place: the article's places are in Iraq
    found = events("واستعاد الجيش العراقي قرية المويلح. وتتقدم القطعات نحو قضاء عنه وقضاء راوة.")
    assert found[0].cls == "TerritoryRegained" and found[0].place.id is None
