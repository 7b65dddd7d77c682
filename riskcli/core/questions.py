"""The interview's questions, as data: one place, each tied to a profile field (spec §1).

Every question has English and Russian text, a short "why we ask" line, a one-line
"what is this?" for the legal terms it uses, and, for follow-ups, a condition on the
answers given so far. ``riskcli.interview.interview`` asks them; nothing here imports
questionary.

Answers are kept as the profile's own values (``"RU"``, ``True``, a date, a
list...). "Don't know" is kept as :data:`DONT_KNOW` while the interview runs
and reaches the profile as unknown: the enum's ``unknown`` where it has one,
otherwise the field is left out. Every question about the person offers it, first,
so that Enter alone never gives an answer the person did not choose; the country is
the one answer the report cannot do without, and it has no default at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

DONT_KNOW = "__dont_know__"
OTHER_COUNTRY = "__other_country__"
NONE_OF_THESE = "__none_of_these__"  # a checklist's "none of these": an answer of [] (not unknown)

Kind = Literal["select", "yes_no", "multi", "date", "destination", "charges", "countries"]
Answers = Mapping[str, Any]


class Words(NamedTuple):
    en: str
    ru: str

    def get(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en


class Option(NamedTuple):
    """One choice of a select or multi question: the profile value and its words."""

    value: Any
    words: Words


class Question(NamedTuple):
    key: str  # the profile field it fills (or a helper key when ``saved`` is False)
    kind: Kind
    text: Words  # may use {country}, {in_country}, {to_country}: see country_forms()
    why: Words
    label: Words  # short name on the review screen
    options: tuple[Option, ...] = ()
    dont_know: bool = True  # offer "Don't know", first (empty input for typed answers)
    unknown_value: str | None = None  # the enum's own "unknown", if it has one
    when: Callable[[Answers], bool] | None = None
    saved: bool = True  # False: helps decide what to ask, is not a profile field
    term: Words | None = None  # "What is this?": one line on the legal term the question uses

    def applies(self, answers: Answers) -> bool:
        return self.when is None or self.when(answers)


def _yes(key: str) -> Callable[[Answers], bool]:
    return lambda a: a.get(key) is True


def _one_of(key: str, *values: Any) -> Callable[[Answers], bool]:
    return lambda a: a.get(key) in values


def _not_one_of(key: str, *values: Any) -> Callable[[Answers], bool]:
    return lambda a: a.get(key) not in values


def _has(key: str, item: str) -> Callable[[Answers], bool]:
    return lambda a: item in (a.get(key) or ())


def _may_be_called_up(a: Answers) -> bool:
    """A call-up notice is asked of a Russian citizen (or one who did not say) who is, or
    may be, liable to call-up: never of someone who said they are not liable."""
    return (
        a.get("citizenship") not in ("stateless", "other") and a.get("military_liable") is not False
    )


def W(en: str, ru: str) -> Words:
    return Words(en, ru)


def Opt(value: Any, en: str, ru: str) -> Option:
    return Option(value, Words(en, ru))


YES = W("Yes", "Да")
NO = W("No", "Нет")
DONT_KNOW_WORDS = W("Don't know", "Не знаю")
NONE_WORDS = W("None of these", "Ничего из этого")

LANGUAGE = Question(
    key="language",
    kind="select",
    text=W("Language / Язык", "Language / Язык"),
    why=W(
        "Questions and the report will be in this language.", "На этом языке будут вопросы и отчёт."
    ),
    label=W("Language", "Язык"),
    options=(Opt("en", "English", "English"), Opt("ru", "Русский", "Русский")),
    dont_know=False,
)

QUESTIONS: tuple[Question, ...] = (
    Question(
        key="citizenship",
        kind="select",
        text=W("What is your citizenship?", "Какое у вас гражданство?"),
        why=W(
            "Many rules apply only to citizens of Russia.",
            "Многие правила касаются только граждан России.",
        ),
        label=W("Citizenship", "Гражданство"),
        options=(
            Opt("RU", "Russia", "Российское"),
            Opt("stateless", "None (stateless)", "Нет гражданства"),
            Opt("other", "Another country", "Другой страны"),
        ),
    ),
    Question(
        key="documents",
        kind="multi",
        text=W(
            "Which identity documents do you hold now? (tick all that apply)",
            "Какие документы у вас есть сейчас? (отметьте все подходящие)",
        ),
        why=W(
            "Where you can stay and travel depends on your documents.",
            "От документов зависит, где вы можете оставаться и куда можете поехать.",
        ),
        label=W("Documents", "Документы"),
        options=(
            Opt("domestic_passport", "Russian domestic passport", "Внутренний паспорт РФ"),
            Opt("international_passport", "International passport", "Загранпаспорт"),
            Opt("non_citizen_passport", "Non-citizen passport", "Паспорт негражданина"),
            Opt("residence_permit", "Residence permit", "Вид на жительство"),
        ),
    ),
    Question(
        key="international_passport_expiry",
        kind="date",
        text=W(
            "When does your international passport expire?",
            "До какого числа действует ваш загранпаспорт?",
        ),
        why=W(
            "Travelling on to another country needs a valid passport.",
            "Чтобы уехать в другую страну, нужен действующий паспорт.",
        ),
        label=W("Passport expires", "Загранпаспорт до"),
        when=_has("documents", "international_passport"),
    ),
    Question(
        key="destination",
        kind="destination",
        text=W(
            "Which country are you in, or planning to go to?",
            "В какой стране вы сейчас (или куда собираетесь ехать)?",
        ),
        why=W(
            "The risks differ from country to country.",
            "Риски в разных странах разные.",
        ),
        label=W("Country", "Страна"),
        dont_know=False,  # the report needs it: the cursor starts on "choose a country"
    ),
    Question(
        key="in_country",
        kind="yes_no",
        text=W("Are you already in {country}?", "Вы уже {in_country}?"),
        why=W(
            "If you are there, the days of your stay may be counted.",
            "Если вы уже там, может идти отсчёт срока пребывания.",
        ),
        label=W("Already there", "Уже там"),
        saved=False,
    ),
    Question(
        key="entry_date",
        kind="date",
        text=W("On what day did you enter {country}?", "Когда вы въехали {to_country}?"),
        why=W(
            "A visa-free stay is counted from the day of entry.",
            "Безвизовый срок отсчитывается со дня въезда.",
        ),
        label=W("Entry date", "Дата въезда"),
        when=_yes("in_country"),
    ),
    Question(
        key="stay_basis",
        kind="select",
        text=W("On what basis are you staying there?", "На каком основании вы там находитесь?"),
        why=W(
            "A permit or a refugee claim changes which rules apply.",
            "От вида на жительство или заявления о статусе беженца зависит, "
            "какие правила к вам относятся.",
        ),
        label=W("Stay basis", "Основание"),
        options=(
            Opt("visa_free", "Visa-free", "Без визы"),
            Opt("visa", "Visa", "По визе"),
            Opt("residence_permit", "Residence permit", "Вид на жительство"),
            Opt(
                "refugee_claim_pending",
                "Refugee claim pending",
                "Подано заявление о предоставлении статуса беженца",
            ),
            Opt("refugee_status", "Refugee status", "Статус беженца"),
        ),
        unknown_value="unknown",
        when=_yes("in_country"),
    ),
    Question(
        key="criminal_case",
        kind="select",
        text=W(
            "Is there a criminal case against you in Russia?",
            "Возбуждено ли против вас уголовное дело в России?",
        ),
        why=W(
            "Some states send people back when Russia asks, if there is a case.",
            "Некоторые страны по запросу России выдают тех, против кого возбуждено дело.",
        ),
        label=W("Criminal case", "Уголовное дело"),
        options=(
            Opt("none", "No", "Нет"),
            Opt(
                "pending", "Yes, open (under investigation or trial)", "Да, идёт следствие или суд"
            ),
            Opt("convicted", "Yes, I was convicted", "Да, есть приговор"),
        ),
        unknown_value="unknown",
    ),
    Question(
        key="charges",
        kind="charges",
        text=W(
            "Under which articles of the Criminal Code? (e.g. 207.3, 280.3)",
            "По каким статьям УК РФ? (например, 207.3, 280.3)",
        ),
        why=W(
            "Some rules depend on the article of the charge.",
            "Некоторые правила зависят от статьи обвинения.",
        ),
        label=W("Articles", "Статьи"),
        when=_one_of("criminal_case", "pending", "convicted"),
    ),
    Question(
        key="arrested_in_absentia",
        kind="yes_no",
        text=W(
            "Has a Russian court arrested you in absentia?",
            "Арестовал ли вас российский суд заочно?",
        ),
        why=W(
            "Rules about being sent back to Russia look at this.",
            "Это важно для правил о выдаче в Россию.",
        ),
        label=W("Arrested in absentia", "Заочный арест"),
        term=W(
            "A court in Russia ordered your arrest while you are abroad: you are to be "
            "detained if you return or are handed over.",
            "Суд в России постановил арестовать вас, пока вы за границей: при возвращении "
            "или выдаче вас задержат.",
        ),
        # Asked of everyone: people learn of an arrest in absentia from the news before
        # they learn of the case, and a skipped question would read as "unanswered".
    ),
    Question(
        key="wanted",
        kind="select",
        text=W("Has Russia put you on a wanted list?", "Объявлены ли вы в розыск в России?"),
        why=W(
            "Wanted lists are shared with some states, which may detain you.",
            "Сведения о розыске получают и другие страны: там вас могут задержать.",
        ),
        label=W("Wanted", "Розыск"),
        options=(
            Opt("none", "No", "Нет"),
            Opt("federal", "Yes, federal (within Russia)", "Да, в федеральный"),
            Opt("interstate", "Yes, interstate (CIS)", "Да, в межгосударственный (СНГ)"),
            Opt("international", "Yes, international", "Да, в международный"),
        ),
        unknown_value="unknown",
        term=W(
            "Federal: police search within Russia; interstate: police of the CIS states search "
            "too; international: the search is sent abroad beyond the CIS.",
            "Федеральный: ищет полиция в России; межгосударственный: ищут и в странах СНГ; "
            "международный: розыск объявлен и за пределами СНГ.",
        ),
    ),
    Question(
        key="protest_history",
        kind="select",
        text=W(
            "Did you take part in protests in Russia?",
            "Участвовали ли вы в протестах в России?",
        ),
        why=W(
            "Protest in Russia can change what you risk.",
            "От участия в протестах могут зависеть ваши риски.",
        ),
        label=W("Protests", "Протесты"),
        options=(
            Opt("none", "No", "Нет"),
            Opt("participated", "Yes, I took part", "Да, участвовал(а)"),
            Opt("organised", "Yes, I organised them", "Да, был(а) среди организаторов"),
            Opt("detained", "Yes, and I was detained", "Да, и меня задерживали"),
        ),
    ),
    Question(
        key="military_liable",
        kind="yes_no",
        text=W(
            "Are you liable to military call-up in Russia?",
            "Подлежите ли вы призыву или мобилизации в России?",
        ),
        why=W(
            "Rules about the call-up depend on it.",
            "От этого зависят правила о призыве и мобилизации.",
        ),
        label=W("Liable to call-up", "Призыв, мобилизация"),
        when=_not_one_of("citizenship", "stateless", "other"),
    ),
    Question(
        key="draft_notice",
        kind="yes_no",
        text=W("Have you received a call-up notice?", "Вам приходила повестка из военкомата?"),
        why=W(
            "Rules about the call-up depend on it.",
            "От этого зависят правила о призыве и мобилизации.",
        ),
        label=W("Call-up notice", "Повестка"),
        when=_may_be_called_up,
    ),
    Question(
        key="public_statements",
        kind="yes_no",
        text=W(
            "Have you spoken out publicly against the war?",
            "Высказывались ли вы публично против войны?",
        ),
        why=W(
            "Rules about prosecution for speaking out depend on it.",
            "От этого зависят правила о преследовании за высказывания.",
        ),
        label=W("Spoke out publicly", "Публичные высказывания"),
    ),
    Question(
        key="activism_abroad",
        kind="yes_no",
        text=W(
            "Do you take part, or plan to, in political activity where you are?",
            "Участвуете ли вы в политической деятельности там, где сейчас живёте, "
            "или собираетесь участвовать?",
        ),
        why=W(
            "Some host states pressure anti-war activists.",
            "Власти некоторых стран давят на антивоенных активистов.",
        ),
        label=W("Activism abroad", "Активизм за рубежом"),
    ),
    Question(
        key="occupation",
        kind="select",
        text=W("What is your work?", "Чем вы занимаетесь?"),
        why=W(
            "Some risks concern journalists, activists and NGO workers in particular.",
            "Некоторые риски касаются именно журналистов, активистов и сотрудников НКО.",
        ),
        label=W("Work", "Занятие"),
        options=(
            Opt("journalist", "Journalist", "Журналистика"),
            Opt("activist", "Activist", "Активизм"),
            Opt("ngo_worker", "NGO worker", "Работа в НКО"),
            Opt("researcher", "Researcher", "Наука, исследования"),
            Opt("politician", "Politician", "Политика"),
            Opt("artist", "Artist", "Искусство, сцена"),
            Opt("other", "Something else", "Другое"),
        ),
    ),
    Question(
        key="foreign_agent",
        kind="yes_no",
        text=W(
            'Has Russia designated you a "foreign agent"?',
            "Признаны ли вы в России «иностранным агентом»?",
        ),
        why=W(
            'Rules about the "foreign agent" law depend on it.',
            "От этого зависят правила, связанные с законом об «иноагентах».",
        ),
        label=W('"Foreign agent"', "«Иноагент»"),
        term=W(
            'A status the Russian Ministry of Justice gives to people it says are "under '
            'foreign influence": it brings labels on all you publish, reports and bans.',
            "Статус, который Минюст России присваивает тем, кого считает «находящимися под "
            "иностранным влиянием»: маркировка публикаций, отчёты, запреты.",
        ),
    ),
    Question(
        key="organisation_status",
        kind="select",
        text=W(
            "Is an organisation you belong to or work for designated in Russia?",
            "Есть ли в России особый статус у организации, где вы состоите или работаете?",
        ),
        why=W(
            "Rules about organisations banned in Russia depend on it.",
            "От этого зависят правила об организациях, запрещённых в России.",
        ),
        label=W("Organisation", "Организация"),
        options=(
            Opt("none", "No (or no organisation)", "Нет (или такой организации нет)"),
            Opt("foreign_agent", 'A "foreign agent"', "Да, «иностранный агент»"),
            Opt("undesirable", '"Undesirable"', "Да, «нежелательная»"),
            Opt("extremist", '"Extremist"', "Да, «экстремистская»"),
        ),
        term=W(
            '"Undesirable" and "extremist" organisations are banned in Russia: taking part '
            'in them is a crime there; a "foreign agent" is a status with labels and reports.',
            "«Нежелательные» и «экстремистские» организации в России запрещены, участие в них "
            "там преследуется; «иноагент» — статус с маркировкой и отчётами.",
        ),
    ),
    Question(
        key="foreign_funding",
        kind="yes_no",
        text=W(
            "Do you receive funding from abroad for civic or media work?",
            "Получаете ли вы деньги из-за рубежа на общественную или журналистскую работу?",
        ),
        why=W(
            'Rules about the "foreign agent" law depend on it.',
            "От этого зависят правила, связанные с законом об «иноагентах».",
        ),
        label=W("Foreign funding", "Деньги из-за рубежа"),
    ),
    Question(
        key="relatives_in_russia",
        kind="yes_no",
        text=W("Do close relatives still live in Russia?", "Остались ли в России ваши близкие?"),
        why=W(
            "Pressure may reach family members who stayed.",
            "Давить могут и на родных, оставшихся в России.",
        ),
        label=W("Relatives in Russia", "Родные в России"),
    ),
    Question(
        key="onward_destinations",
        kind="countries",
        text=W(
            "Which countries do you hope to move on to? (codes, e.g. DE, FR)",
            "В какие страны вы хотели бы перебраться потом? (коды, например DE, FR)",
        ),
        why=W(
            "Some states refuse visas or refuge to people in your situation.",
            "Некоторые страны отказывают в визах и убежище людям в вашем положении.",
        ),
        label=W("Moving on to", "Куда дальше"),
    ),
    Question(
        key="needs_shelter",
        kind="yes_no",
        text=W(
            "Are you without housing or income where you are?",
            "Вы остались без жилья или без средств к существованию?",
        ),
        why=W("We list help that may be available.", "Мы подскажем, где можно получить помощь."),
        label=W("Needs shelter", "Нужна помощь"),
    ),
)

BY_KEY: dict[str, Question] = {q.key: q for q in (LANGUAGE, *QUESTIONS)}


def active(answers: Answers) -> list[Question]:
    """The questions that apply to these answers, in order."""
    return [q for q in QUESTIONS if q.applies(answers)]


def prune(answers: dict[str, Any]) -> None:
    """Drop answers to follow-ups that no longer apply (in order, so it cascades)."""
    for q in QUESTIONS:
        if q.key in answers and not q.applies(answers):
            del answers[q.key]


def to_profile_data(answers: Answers) -> dict[str, Any]:
    """The answers as profile fields: helpers left out, "don't know" made unknown."""
    data: dict[str, Any] = {}
    if answers.get("language") in ("en", "ru"):
        data["language"] = answers["language"]
    for q in active(answers):
        if not q.saved or q.key not in answers:
            continue
        value = answers[q.key]
        if value == DONT_KNOW:
            if q.unknown_value is None:
                continue
            value = q.unknown_value
        data[q.key] = value
    return data


# --- the countries' names in the cases a Russian sentence needs ---------------------------

# pycountry gives names, not cases: "в Казахстане" (where), "в Казахстан" (where to).
# A country not in the table is named in quotes after «стране»/«страну».
RU_COUNTRY_FORMS: dict[str, tuple[str, str]] = {
    "AM": ("в Армении", "в Армению"),
    "AE": ("в ОАЭ", "в ОАЭ"),
    "AZ": ("в Азербайджане", "в Азербайджан"),
    "BE": ("в Бельгии", "в Бельгию"),
    "CY": ("на Кипре", "на Кипр"),
    "CZ": ("в Чехии", "в Чехию"),
    "DE": ("в Германии", "в Германию"),
    "EE": ("в Эстонии", "в Эстонию"),
    "ES": ("в Испании", "в Испанию"),
    "FI": ("в Финляндии", "в Финляндию"),
    "FR": ("во Франции", "во Францию"),
    "GB": ("в Великобритании", "в Великобританию"),
    "GE": ("в Грузии", "в Грузию"),
    "IL": ("в Израиле", "в Израиль"),
    "KG": ("в Киргизии", "в Киргизию"),
    "KZ": ("в Казахстане", "в Казахстан"),
    "LT": ("в Литве", "в Литву"),
    "LV": ("в Латвии", "в Латвию"),
    "ME": ("в Черногории", "в Черногорию"),
    "MN": ("в Монголии", "в Монголию"),
    "NL": ("в Нидерландах", "в Нидерланды"),
    "PL": ("в Польше", "в Польшу"),
    "PT": ("в Португалии", "в Португалию"),
    "RS": ("в Сербии", "в Сербию"),
    "TH": ("в Таиланде", "в Таиланд"),
    "TJ": ("в Таджикистане", "в Таджикистан"),
    "TR": ("в Турции", "в Турцию"),
    "US": ("в США", "в США"),
    "UZ": ("в Узбекистане", "в Узбекистан"),
}


def country_forms(code: str | None, name: str, lang: str) -> dict[str, str]:
    """The words a question's ``{country}``, ``{in_country}`` and ``{to_country}`` take."""
    if lang != "ru":
        return {"country": name, "in_country": f"in {name}", "to_country": name}
    where, where_to = RU_COUNTRY_FORMS.get(code or "", (f"в стране «{name}»", f"в страну «{name}»"))
    return {"country": name, "in_country": where, "to_country": where_to}


RU_MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def date_words(day: dt.date, lang: str) -> str:
    """A date as a reader writes it: 2022-11-07 in English, «7 ноября 2022 г.» in Russian."""
    if lang == "ru":
        return f"{day.day} {RU_MONTHS[day.month - 1]} {day.year} г."
    return day.isoformat()


UI: dict[str, dict[str, str]] = {
    "en": {
        "intro": (
            "A few questions about your situation. Your answers are not sent anywhere, "
            "and nothing is saved unless you ask. Ctrl-C stops; Ctrl-Q clears the screen "
            "and quits at once."
        ),
        "why": "Why we ask: ",
        "term": "What is this? ",
        "progress": "Question {n} of about {total} · ← back · Ctrl-Q: hide and quit",
        "arrows": "(arrows, Enter)",
        "ticks": "(Space ticks, Enter when done)",
        "date_hint": "(DD.MM.YYYY; empty = don't know)",
        "text_hint": "(empty = don't know)",
        "back": "← Back",
        "first_question": "This is the first question.",
        "choose_country": "(choose a country)",
        "need_choice": "Choose a country: the report depends on it (↓ and Enter).",
        "other_country": "Another country…",
        "country_code": "Which country? Type its code or name (Tab completes):",
        "not_covered": (
            "{country}: the rule pack has nothing specific on it, so the report can only "
            "give general findings."
        ),
        "date_future": "{date} is after the assessment date ({today})",
        "date_early": "{date} is too early: dates from {floor} on are taken",
        "date_late": "{date} is too late: dates up to {ceiling} are taken",
        "bad_date": "{value!r} is not a date; type DD.MM.YYYY, e.g. 28.09.2022",
        "need_country": "type a country code, e.g. DE",
        "save_path_empty": "type a file name, e.g. answers.yaml",
        "bad_charges": "{value!r} is not an article number; write e.g. 207.3, 280.3",
        "bad_country": "{value!r} is not a country code; write e.g. DE, FR, US",
        "none_and_others": "'None of these' cannot go with a document: untick one",
        "conflict": "Two answers do not fit together:",
        "conflict_ask": "Which answer do you want to change?",
        "conflict_change": "Change: {label} ({value})",
        "conflict_keep": "Keep both for now (the report will say they disagree)",
        "country_changed": "The country changed: the questions about your stay are asked again.",
        "restored": "Continuing your interrupted interview: {n} answers restored ({fields}).",
        "review": "Your answers. Pick one to change it, or go on:",
        "review_done": "All correct: show the report",
        "dont_know": "don't know",
        "none": "none",
        "save": "Save these answers to a file for later?",
        "save_no": "No, do not save",
        "save_yes": "Yes, save to a file",
        "store": "Keep this case in the encrypted case store?",
        "store_no": "No, and forget the draft",
        "store_yes": "Yes, keep it (encrypted)",
        "edit": "Save these answers to the case?",
        "edit_no": "No, keep the case as it was",
        "edit_yes": "Yes, save the changes",
        "save_warn": (
            "Careful: the file holds sensitive data about you. Keep it where only you "
            "can read it, and delete it when you no longer need it."
        ),
        "save_path": "File name:",
        "save_exists": "{path} already exists: choose another name",
        "save_dir": "no such folder: {path}",
        "save_fail": "cannot write {path}: {reason}",
        "saved": "Saved to {path} (readable only by you). Use: riskcli assess --answers {path}",
        "file_header": (
            "riskcli answers. SENSITIVE: this describes your situation; keep it private.\n"
            "Assess again with: riskcli assess --answers FILE"
        ),
    },
    "ru": {
        "intro": (
            "Несколько вопросов о вашем положении. Ответы никуда не отправляются и "
            "сохраняются, только если вы об этом попросите. Ctrl-C — остановиться; "
            "Ctrl-Q — сразу выйти и очистить экран."
        ),
        "why": "Зачем мы спрашиваем: ",
        "term": "Что это? ",
        "progress": "Вопрос {n} примерно из {total} · ← назад · Ctrl-Q — скрыть и выйти",
        "arrows": "(стрелки и Enter)",
        "ticks": "(пробел — отметить, Enter — готово)",
        "date_hint": "(ДД.ММ.ГГГГ; пусто — не знаю)",
        "text_hint": "(пусто — не знаю)",
        "back": "← Назад",
        "first_question": "Это первый вопрос.",
        "choose_country": "(выберите страну)",
        "need_choice": "Выберите страну: от неё зависит отчёт (↓ и Enter).",
        "other_country": "Другая страна…",
        "country_code": "Какая страна? Введите код или название (Tab — дополнить):",
        "not_covered": (
            "{country}: в правилах нет ничего именно об этой стране, поэтому отчёт даст "
            "только общие выводы."
        ),
        "date_future": "Дата {date} позже даты оценки ({today})",
        "date_early": "Слишком ранняя дата ({date}): можно не раньше {floor}",
        "date_late": "Слишком поздняя дата ({date}): можно до {ceiling}",
        "bad_date": "Такой даты нет: «{value}». Введите ДД.ММ.ГГГГ, например 28.09.2022",
        "need_country": "введите код страны, например DE",
        "save_path_empty": "введите имя файла, например answers.yaml",
        "bad_charges": "«{value}» — не номер статьи; пишите, например, 207.3, 280.3",
        "bad_country": "«{value}» — не код страны; пишите, например, DE, FR, US",
        "none_and_others": "«Ничего из этого» нельзя отметить вместе с документом",
        "conflict": "Два ответа противоречат друг другу:",
        "conflict_ask": "Какой ответ вы хотите изменить?",
        "conflict_change": "Изменить: {label} ({value})",
        "conflict_keep": "Пока оставить оба (в отчёте будет сказано о противоречии)",
        "country_changed": "Страна изменилась: вопросы о пребывании зададим заново.",
        "restored": "Продолжаем прерванное интервью: восстановлено ответов — {n} ({fields}).",
        "review": "Проверьте ответы. Чтобы изменить ответ, выберите его:",
        "review_done": "Всё верно: показать отчёт",
        "dont_know": "не знаю",
        "none": "ничего",
        "save": "Сохранить ответы в файл, чтобы вернуться к ним позже?",
        "save_no": "Нет, не сохранять",
        "save_yes": "Да, сохранить в файл",
        "store": "Сохранить это дело в зашифрованном хранилище?",
        "store_no": "Нет, и удалить черновик",
        "store_yes": "Да, сохранить (в зашифрованном виде)",
        "edit": "Сохранить эти ответы в деле?",
        "edit_no": "Нет, оставить дело как было",
        "edit_yes": "Да, сохранить изменения",
        "save_warn": (
            "Осторожно: в файле будут сведения о вас, опасные в чужих руках. Храните его "
            "там, где его можете прочитать только вы, и удалите, когда он станет не нужен."
        ),
        "save_path": "Имя файла:",
        "save_exists": "{path} уже существует: выберите другое имя",
        "save_dir": "нет такой папки: {path}",
        "save_fail": "не удалось записать {path}: {reason}",
        "saved": (
            "Сохранено в {path} (доступно только вам). Запуск: riskcli assess --answers {path}"
        ),
        "file_header": (
            "Ответы riskcli. ЧУВСТВИТЕЛЬНЫЕ ДАННЫЕ: файл описывает ваше положение.\n"
            "Оценить снова: riskcli assess --answers FILE"
        ),
    },
}


def ui(lang: str, key: str, **kwargs: Any) -> str:
    return UI["ru" if lang == "ru" else "en"][key].format(**kwargs)
