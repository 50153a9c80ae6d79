"""One word for each thing (/work/shared/GLOSSARY.md): the variants the glossary and
the December 2026 translation review settled appear nowhere in the compiled catalogs."""

from __future__ import annotations

import re

import pytest

from tests.locales.compiled import LOCALES, texts

# (locale, pattern, why): a pattern found in any message of the locale is a defect.
BANNED = [
    ("ru", r"\bНКО\b", "NGO is «НПО» in Russian (glossary)"),
    ("kk", r"\bадмин", "administrator is «әкімші», never «админ»"),
    ("ru", r"\bадмин\b|\bАдмин\b", "administrator is «администратор», never «админ»"),
    ("en", r"\badmins?\b", "administrator, not admin"),
    ("ru", r"[Гг]осударственная премия", "the award is «премия для НПО», not the State Prize"),
    ("kk", r"[Мм]емлекеттік сыйлық", "the award is «ҮЕҰ-ға арналған сыйлықақы»"),
    ("kk", r"[Үү]кімет сыйлығ", "the award is «ҮЕҰ-ға арналған сыйлықақы» (the law's word)"),
    ("kk", r"[Сс]ыйлық(?!ақы)", "the law calls the award «сыйлықақы», never bare «сыйлық»"),
    ("ru", r"[Пп]реми\w* Правительства", "the award is «премия для НПО»"),
    ("en", r"[Gg]overnment award", "the award is “the NGO award”"),
    ("kk", r"мемлекеттік тіл", "Kazakhstan has one state language (Constitution, art. 7)"),
    ("ru", r"государственн\w* язык", "Kazakhstan has one state language (Constitution, art. 7)"),
    ("en", r"state language", "Kazakhstan has one state language (Constitution, art. 7)"),
    ("kk", r"[Кк]ері қайтарылды", "withdrawn is «кері қайтарып алынды»; this reads «returned»"),
    ("kk", r"түйме", "button is «батырма»"),
    ("kk", r"[Аа]лматы уақыт", "the time zone is «Астана уақыты»"),
    ("kk", r"Қазақстан уақыт", "the time zone is «Астана уақыты»"),
    ("ru", r"времени? Алматы|время Казахстана", "the time zone is «время Астаны»"),
    ("en", r"Almaty time|Kazakhstan time", "the time zone is “Astana time”"),
    ("kk", r"[Гг]ранттық тақырып", "grant topic is «грант тақырыбы»"),
    ("ru", r"[Гг]рантов\w+ тем", "grant topic is «тема гранта»"),
    ("ru", r"[Пп]ульт", "the operator console is «консоль оператора»"),
    ("kk", r"қайырымдылық", "donations are «қайырмалдықтар» (Civil Code)"),
    ("kk", r"[Бб]юджет есеб", "budget breakdown is «бюджеттің таратып жазылуы»"),
    ("kk", r"[Бб]арлық табыс", "total income is «жалпы табыс»"),
    ("kk", r"(?<![Пп]айда )алушылар\W{0,3}\{beneficiaries\}", "beneficiaries: «пайда алушылар»"),
    ("kk", r"[Бб]арлық алушылар", "beneficiaries are «пайда алушылар»"),
    ("kk", r"сұраныс", "a join request is «қосылу туралы сұрау»"),
    ("ru", r"заявк\w* на вступление|[Зз]аявка \{\} в", "join request: «запрос на вступление»"),
    ("kk", r"[Сс]арапшы бекіт|бекітілді|бекітілмеген", "assign an expert is «сарапшы тағайындау»"),
    ("kk", r"\bкритерий", "criterion is «өлшемшарт»"),
    ("ru", r"[Сс]фер\w* деятельности|[Пп]о сферам|\bСферы\b", "area is «направление деятельности»"),
    ("kk", r"[Сс]ала(?:сы|лары|ны|да)?\b", "area of activity is «қызмет бағыты»"),
    ("en", r"\b[Dd]irections?\b", "area of activity, not direction"),
    ("en", r"Second name", "the name in the other language, not a second (sur)name"),
    ("en", r"«|»", "English quotes are “ ”"),
    ("ru", r"\bреply\b|\(reply\)", "no English in Russian text"),
    ("kk", r"\breply\b", "no English in Kazakh text"),
    ("ru", r"[Рр]аунд", "an award round is «отбор», not the calque «раунд»"),
    ("ru", r"[Ии]нформаци\w* о деятельности|сданной информации", "the filing is «сведения»"),
]


@pytest.mark.parametrize(("locale", "pattern", "why"), BANNED, ids=[b[1] for b in BANNED])
def test_a_settled_variant_appears_nowhere(locale, pattern, why):
    found = [
        (key, form)
        for key, forms in texts(locale).items()
        for form in forms
        if re.search(pattern, _words(form))
    ]
    assert not found, f"{locale}: {why}: {found}"


def _words(text: str) -> str:
    """The text with placeholder names hidden ("{directions}" is code, not wording),
    except {beneficiaries}, which a pattern above looks for."""
    return re.sub(r"\{(?!beneficiaries\})\w+\}", "{}", text)


def _draft_keys() -> list[str]:
    """Keys whose meaning is a draft: the English says "draft", or a part of the key
    does (`application.status.draft`, `application.draft_kept`; not the `drafts.`
    namespace, which is about keeping what is typed, not an application's draft)."""
    return sorted(
        key
        for key, forms in texts("en").items()
        if re.search(r"(^|[._])draft([._]|$)", key)
        or any(re.search(r"\bdraft\b", form, re.I) for form in forms)
    )


def test_the_draft_keys_are_found():
    keys = _draft_keys()
    assert {
        "application.close",
        "application.draft_kept",
        "application.deadline_passed",
        "application.status.draft",
        "my_applications.delete",
        "my_applications.confirm_delete",
        "my_applications.deleted",
        "delivery.topic_deadline",
        "broadcast.segment.draft",
        "broadcast.status.draft",
        "topic_admin.status.draft",
        "topic_admin.created",
        "filing.state.draft",
    } <= set(keys)


@pytest.mark.parametrize("key", _draft_keys())
def test_a_draft_is_nobai_never_zhoba(key):
    """«жоба» is "project" (30 strings); a draft is «нобай», or the two read the same."""
    for form in texts("kk")[key]:
        assert "нобай" in form.lower(), f"kk:{key} does not say «нобай»: {form!r}"
        drafts_as_project = re.search(r"[Жж]оба(?:ны|сы|да|ға)?\b(?! атауы| аясында)", form)
        assert not drafts_as_project, f"kk:{key} calls the draft «жоба»: {form!r}"
    for form in texts("ru")[key]:
        assert "черновик" in form.lower(), f"ru:{key}: a draft is «черновик»: {form!r}"


def test_paused_and_cancelled_broadcasts_read_differently():
    for locale in LOCALES:
        catalog = texts(locale)
        assert catalog["broadcast.status.paused"] != catalog["broadcast.status.cancelled"]
        assert catalog["broadcast.did.pause"] != catalog["broadcast.did.cancel"]
    assert texts("kk")["broadcast.status.paused"] == ("уақытша тоқтатылды",)
    assert texts("kk")["broadcast.status.cancelled"] == ("тоқтатылды",)
    assert texts("ru")["broadcast.status.paused"] == ("приостановлена",)


@pytest.mark.parametrize("locale", LOCALES)
def test_ngo_is_the_glossary_word(locale):
    word = {"kk": "ҮЕҰ", "ru": "НПО", "en": "NGO"}[locale]
    for key in ("menu.directory", "broadcast.role.member", "consent.text", "bot.description"):
        if key == "consent.text" and locale == "kk":
            continue  # "ҮЕҰ-ңызды"
        assert word in "".join(texts(locale)[key]), f"{locale}:{key}"


def test_no_kazakh_suffix_is_glued_to_a_value():
    """A suffix or postposition after a placeholder must agree with every value sent
    ("30-ден", "100000-ге", "1 пен" do not): rephrase so nothing is attached. Ordinals
    ("{page}-беті") agree with any number."""
    glued = re.compile(
        r"\}(-(?!беті|қадамы)[а-яәғқңөұүһі]+"
        r"| (?:мен|бен|пен|ден|дан|тен|тан|нан|нен|ге|ға|ке|қа|дейін|бастап|кезінде)\b)"
    )
    found = [
        (key, form) for key, forms in texts("kk").items() for form in forms if glued.search(form)
    ]
    assert not found, found
