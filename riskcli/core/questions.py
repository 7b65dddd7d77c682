"""The interview's questions, as data: one place, each tied to a profile field (spec §1).

Every question has English and Russian text, a short "why we ask" line, and,
for follow-ups, a condition on the answers given so far. ``riskcli.interview.interview``
asks them; nothing here imports questionary.

Answers are kept as the profile's own values (``"RU"``, ``True``, a date, a
list...). "Don't know" is kept as :data:`DONT_KNOW` while the interview runs
and reaches the profile as unknown: the enum's ``unknown`` where it has one,
otherwise the field is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

DONT_KNOW = "__dont_know__"
OTHER_COUNTRY = "__other_country__"

Kind = Literal["select", "yes_no", "multi", "date", "destination", "charges", "countries"]
Answers = Mapping[str, Any]


@dataclass(frozen=True)
class Words:
    en: str
    ru: str

    def get(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en


@dataclass(frozen=True)
class Option:
    """One choice of a select or multi question: the profile value and its words."""

    value: Any
    words: Words


@dataclass(frozen=True)
class Question:
    key: str  # the profile field it fills (or a helper key when ``saved`` is False)
    kind: Kind
    text: Words  # may use {country}: the destination's name
    why: Words
    label: Words  # short name on the review screen
    options: tuple[Option, ...] = ()
    dont_know: bool = False  # offer "Don't know" (empty input for typed answers)
    unknown_value: str | None = None  # the enum's own "unknown", if it has one
    when: Callable[[Answers], bool] | None = None
    saved: bool = True  # False: helps decide what to ask, is not a profile field

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


def W(en: str, ru: str) -> Words:
    return Words(en, ru)


def Opt(value: Any, en: str, ru: str) -> Option:
    return Option(value, Words(en, ru))


YES = W("Yes", "Да")
NO = W("No", "Нет")
DONT_KNOW_WORDS = W("Don't know", "Не знаю")

LANGUAGE = Question(
    key="language",
    kind="select",
    text=W("Language / Язык", "Language / Язык"),
    why=W(
        "Questions and the report will be in this language.", "На этом языке будут вопросы и отчёт."
    ),
    label=W("Language", "Язык"),
    options=(Opt("en", "English", "English"), Opt("ru", "Русский", "Русский")),
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
            Opt("RU", "Russia", "Россия"),
            Opt("stateless", "None (stateless)", "Нет гражданства"),
            Opt("other", "Another country", "Другой страны"),
        ),
    ),
    Question(
        key="documents",
        kind="multi",
        text=W(
            "Which identity documents do you hold now? (tick all that apply)",
            "Какие документы у вас есть сейчас? (отметьте все)",
        ),
        why=W(
            "Where you can stay and travel depends on your documents.",
            "От документов зависит, где вы можете находиться и куда ехать.",
        ),
        label=W("Documents", "Документы"),
        options=(
            Opt("domestic_passport", "Russian domestic passport", "Внутренний паспорт РФ"),
            Opt("international_passport", "International passport", "Заграничный паспорт"),
            Opt("non_citizen_passport", "Non-citizen passport", "Паспорт негражданина"),
            Opt("residence_permit", "Residence permit", "Вид на жительство"),
        ),
    ),
    Question(
        key="international_passport_expiry",
        kind="date",
        text=W(
            "When does your international passport expire?",
            "Когда истекает срок вашего загранпаспорта?",
        ),
        why=W(
            "Travelling on to another country needs a valid passport.",
            "Чтобы уехать в другую страну, нужен действующий паспорт.",
        ),
        label=W("Passport expires", "Загранпаспорт до"),
        dont_know=True,
        when=_has("documents", "international_passport"),
    ),
    Question(
        key="destination",
        kind="destination",
        text=W(
            "Which country are you in, or planning to go to?",
            "В какой стране вы сейчас или куда собираетесь?",
        ),
        why=W(
            "The risks differ from country to country.",
            "Риски в разных странах разные.",
        ),
        label=W("Country", "Страна"),
    ),
    Question(
        key="in_country",
        kind="yes_no",
        text=W("Are you already in {country}?", "Вы уже находитесь в стране «{country}»?"),
        why=W(
            "If you are there, the days of your stay may be counted.",
            "Если вы уже там, срок пребывания может идти.",
        ),
        label=W("Already there", "Уже там"),
        saved=False,
    ),
    Question(
        key="entry_date",
        kind="date",
        text=W(
            "On what day did you enter {country}?", "Какого числа вы въехали в страну «{country}»?"
        ),
        why=W(
            "A visa-free stay is counted from the day of entry.",
            "Безвизовый срок считается со дня въезда.",
        ),
        label=W("Entry date", "Дата въезда"),
        dont_know=True,
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
        dont_know=True,
        unknown_value="unknown",
        when=_yes("in_country"),
    ),
    Question(
        key="criminal_case",
        kind="select",
        text=W(
            "Is there a criminal case against you in Russia?",
            "Есть ли против вас уголовное дело в России?",
        ),
        why=W(
            "Some states send people back when Russia asks, if there is a case.",
            "Некоторые страны по запросу России высылают тех, против кого есть дело.",
        ),
        label=W("Criminal case", "Уголовное дело"),
        options=(
            Opt("none", "No", "Нет"),
            Opt(
                "pending", "Yes, open (under investigation or trial)", "Да, идёт следствие или суд"
            ),
            Opt("convicted", "Yes, I was convicted", "Да, есть приговор"),
        ),
        dont_know=True,
        unknown_value="unknown",
    ),
    Question(
        key="charges",
        kind="charges",
        text=W(
            "Under which articles of the Criminal Code? (e.g. 207.3, 280.3)",
            "По каким статьям УК? (например, 207.3, 280.3)",
        ),
        why=W(
            "Some rules depend on the article of the charge.",
            "Некоторые правила зависят от статьи обвинения.",
        ),
        label=W("Articles", "Статьи"),
        dont_know=True,
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
            "Это учитывают правила о высылке в Россию.",
        ),
        label=W("Arrested in absentia", "Заочный арест"),
        dont_know=True,
        # Asked of everyone: people learn of an arrest in absentia from the news before
        # they learn of the case, and a skipped question would read as "unanswered".
    ),
    Question(
        key="wanted",
        kind="select",
        text=W(
            "Has Russia put you on a wanted list?",
            "Объявила ли вас Россия в розыск?",
        ),
        why=W(
            "Wanted lists are shared with some states, which may detain you.",
            "Списки розыска передают в некоторые страны, и там могут задержать.",
        ),
        label=W("Wanted", "Розыск"),
        options=(
            Opt("none", "No", "Нет"),
            Opt("federal", "Yes, federal (within Russia)", "Да, федеральный"),
            Opt("interstate", "Yes, interstate (CIS)", "Да, межгосударственный (СНГ)"),
            Opt("international", "Yes, international", "Да, международный"),
        ),
        dont_know=True,
        unknown_value="unknown",
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
            "Участие в протестах может изменить ваши риски.",
        ),
        label=W("Protests", "Протесты"),
        options=(
            Opt("none", "No", "Нет"),
            Opt("participated", "Yes, I took part", "Да, участвовал(а)"),
            Opt("organised", "Yes, I organised them", "Да, организовывал(а)"),
            Opt("detained", "Yes, and I was detained", "Да, и меня задерживали"),
        ),
    ),
    Question(
        key="military_liable",
        kind="yes_no",
        text=W(
            "Are you liable to military call-up in Russia?",
            "Вы военнообязанный (подлежите призыву или мобилизации)?",
        ),
        why=W("Rules about the call-up depend on it.", "От этого зависят правила о мобилизации."),
        label=W("Liable to call-up", "Военнообязанный"),
        dont_know=True,
        when=_not_one_of("citizenship", "stateless", "other"),
    ),
    Question(
        key="draft_notice",
        kind="yes_no",
        text=W("Have you received a call-up notice?", "Получали ли вы повестку?"),
        why=W(
            "Rules about the call-up depend on it.",
            "От этого зависят правила о мобилизации.",
        ),
        label=W("Call-up notice", "Повестка"),
        dont_know=True,
        when=_not_one_of("citizenship", "stateless", "other"),
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
            "Участвуете ли вы (или собираетесь) в политической активности там, где вы сейчас?",
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
            Opt("journalist", "Journalist", "Журналист"),
            Opt("activist", "Activist", "Активист"),
            Opt("ngo_worker", "NGO worker", "Сотрудник НКО"),
            Opt("researcher", "Researcher", "Исследователь"),
            Opt("politician", "Politician", "Политик"),
            Opt("artist", "Artist", "Художник, артист"),
            Opt("other", "Something else", "Другое"),
        ),
    ),
    Question(
        key="foreign_agent",
        kind="yes_no",
        text=W(
            'Has Russia designated you a "foreign agent"?',
            "Признала ли вас Россия «иностранным агентом»?",
        ),
        why=W(
            'Rules about the "foreign agent" law depend on it.',
            "От этого зависят правила о законе об «иноагентах».",
        ),
        label=W('"Foreign agent"', "«Иноагент»"),
        dont_know=True,
    ),
    Question(
        key="organisation_status",
        kind="select",
        text=W(
            "Is an organisation you belong to or work for designated in Russia?",
            "Признана ли в России организация, в которой вы состоите или работаете?",
        ),
        why=W(
            "Rules about organisations banned in Russia depend on it.",
            "От этого зависят правила об организациях, запрещённых в России.",
        ),
        label=W("Organisation", "Организация"),
        options=(
            Opt("none", "No (or no organisation)", "Нет (или нет организации)"),
            Opt("foreign_agent", 'A "foreign agent"', "«Иностранный агент»"),
            Opt("undesirable", '"Undesirable"', "«Нежелательная»"),
            Opt("extremist", '"Extremist"', "«Экстремистская»"),
        ),
        dont_know=True,
    ),
    Question(
        key="foreign_funding",
        kind="yes_no",
        text=W(
            "Do you receive funding from abroad for civic or media work?",
            "Получаете ли вы иностранное финансирование на общественную или медийную работу?",
        ),
        why=W(
            'Rules about the "foreign agent" law depend on it.',
            "От этого зависят правила о законе об «иноагентах».",
        ),
        label=W("Foreign funding", "Иностр. финансирование"),
    ),
    Question(
        key="relatives_in_russia",
        kind="yes_no",
        text=W("Do close relatives still live in Russia?", "Живут ли в России ваши близкие?"),
        why=W(
            "Pressure may reach family members who stayed.",
            "Давление может коснуться оставшихся родных.",
        ),
        label=W("Relatives in Russia", "Родные в России"),
    ),
    Question(
        key="onward_destinations",
        kind="countries",
        text=W(
            "Which countries do you hope to move on to? (codes, e.g. DE, FR)",
            "В какие страны вы хотели бы уехать дальше? (коды, например DE, FR)",
        ),
        why=W(
            "Some states refuse visas or refuge to people in your situation.",
            "Некоторые страны отказывают в визах и убежище людям в вашем положении.",
        ),
        label=W("Moving on to", "Куда дальше"),
        dont_know=True,
    ),
    Question(
        key="needs_shelter",
        kind="yes_no",
        text=W(
            "Are you without housing or income where you are?",
            "Остались ли вы без жилья или дохода там, где вы сейчас?",
        ),
        why=W("We list help that may be available.", "Мы покажем, где может быть помощь."),
        label=W("Needs shelter", "Нужно жильё"),
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


UI: dict[str, dict[str, str]] = {
    "en": {
        "intro": (
            "A few questions about your situation. Nothing leaves this computer. "
            "Ctrl-C stops at any time."
        ),
        "why": "Why we ask: ",
        "arrows": "(arrow keys, Enter)",
        "ticks": "(arrows, Space to tick, Enter when done)",
        "date_hint": "(YYYY-MM-DD or DD.MM.YYYY; Enter = don't know)",
        "text_hint": "(Enter = don't know)",
        "other_country": "Another country…",
        "country_code": "Which country? Type its code or name (Tab completes):",
        "not_covered": (
            "The rule pack has nothing specific on {country}: the report can only "
            "give general findings."
        ),
        "date_future": "{date} is after {today}: the day of entry cannot be in the future",
        "bad_date": "{value!r} is not a date; type YYYY-MM-DD or DD.MM.YYYY, e.g. 28.09.2022",
        "need_country": "type a country code, e.g. DE",
        "save_path_empty": "type a file name, e.g. answers.yaml",
        "bad_charges": "{value!r} is not an article number; write e.g. 207.3, 280.3",
        "bad_country": "{value!r} is not a country code; write e.g. DE, FR, US",
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
            "Несколько вопросов о вашем положении. Ничего не покидает этот компьютер. "
            "Ctrl-C — остановить в любой момент."
        ),
        "why": "Зачем спрашиваем: ",
        "arrows": "(стрелки, Enter)",
        "ticks": "(стрелки, пробел — отметить, Enter — готово)",
        "date_hint": "(ГГГГ-ММ-ДД или ДД.ММ.ГГГГ; Enter — не знаю)",
        "text_hint": "(Enter — не знаю)",
        "other_country": "Другая страна…",
        "country_code": "Какая страна? Введите код или название (Tab — дополнить):",
        "not_covered": (
            "О стране «{country}» в правилах нет ничего конкретного: отчёт даст "
            "только общие выводы."
        ),
        "date_future": "{date} позже {today}: дата въезда не может быть в будущем",
        "bad_date": "«{value}» — не дата; введите ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, например 28.09.2022",
        "need_country": "введите код страны, например DE",
        "save_path_empty": "введите имя файла, например answers.yaml",
        "bad_charges": "«{value}» — не номер статьи; пишите, например, 207.3, 280.3",
        "bad_country": "«{value}» — не код страны; пишите, например, DE, FR, US",
        "review": "Ваши ответы. Выберите, чтобы изменить, или продолжите:",
        "review_done": "Всё верно: показать отчёт",
        "dont_know": "не знаю",
        "none": "нет",
        "save": "Сохранить ответы в файл на будущее?",
        "save_no": "Нет, не сохранять",
        "save_yes": "Да, сохранить в файл",
        "store": "Сохранить это дело в зашифрованном хранилище?",
        "store_no": "Нет, и удалить черновик",
        "store_yes": "Да, сохранить (зашифровано)",
        "edit": "Сохранить эти ответы в деле?",
        "edit_no": "Нет, оставить дело как было",
        "edit_yes": "Да, сохранить изменения",
        "save_warn": (
            "Осторожно: в файле будут чувствительные данные о вас. Храните его там, "
            "где его можете прочитать только вы, и удалите, когда он не нужен."
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
