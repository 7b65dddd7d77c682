"""Every message the tool itself says, by key, in English: the msgids of the gettext catalog.

The key is the message's context (``msgctxt``) in ``locale/*/LC_MESSAGES/riskcli.po``; the
English text is its ``msgid``. A pair is a message with plural forms (``msgid_plural``):
the count is the placeholder ``{n}``. Placeholders are ``str.format`` fields.

To add or change a message: edit it here, run ``make catalog`` (the .po gains it, marked
untranslated or fuzzy), write its Russian in the .po, and run ``make catalog`` again (the
.mo is compiled). ``tests/test_i18n.py`` fails until both languages agree.

Rule texts are not here: they live with their rules in ``rules/*.yaml``.
"""

from __future__ import annotations

Plural = tuple[str, str]

MESSAGES: dict[str, str | Plural] = {
    # --- the report ----------------------------------------------------------------------
    "report_title": "Risk assessment",
    "as_of": "Assessment date",
    "destination": "Country",
    "case": "Case",
    "no_risks": "No rule in the pack applies to these answers.",
    "no_risks_caveat": (
        "This does not mean you are safe: the pack covers only what its sources describe."
    ),
    "not_covered": (
        "The source documents say nothing specific about {country}. "
        "No finding for this country does not mean it is safe: ask a lawyer or an "
        "organisation that helps people in your situation there."
    ),
    "covered": "Countries the sources describe: {countries}.",
    "facts_age": (
        "These facts date from {date}, {years} before the assessment date: check they still hold."
    ),
    "facts_age_recent": "These facts date from {date}: check they still hold.",
    "years": ("{n} year", "{n} years"),
    "severity": "Severity",
    "possible": "POSSIBLE: depends on answers you did not give",
    "unknown_fields": "Unanswered: {fields}. Find out; it changes what applies to you.",
    "deadline": "Deadline",
    "what_to_do": "What to do",
    "sources": "Sources",
    "facts_as_of": "facts as of {date}",
    "reported_after": (
        "Reported after the assessment date: this rests on facts dated {dates}, later than {as_of}."
    ),
    "support": "Help you may be able to get",
    "summary": "Summary",
    "risks": "Risks",
    "counts": "{critical} critical, {high} high, {medium} medium, {low} low, {info} info",
    "disclaimer": (
        "riskcli is not legal advice. It reads a few dated documents; laws and practice change."
    ),
    # --- days to a deadline: the one phrase of reports, compare, triage and the calendar ---
    "days.left": ("{n} day left", "{n} days left"),
    "days.today": "today",
    "days.yesterday": "passed 1 day ago",
    "days.ago": ("passed {n} day ago", "passed {n} days ago"),
    # --- severity ------------------------------------------------------------------------
    "severity.critical": "CRITICAL",
    "severity.high": "HIGH",
    "severity.medium": "MEDIUM",
    "severity.low": "LOW",
    "severity.info": "INFO",
    # --- the profile's fields, in words --------------------------------------------------
    "field.case_id": "case id",
    "field.as_of": "as of",
    "field.language": "language",
    "field.citizenship": "citizenship",
    "field.documents": "documents",
    "field.international_passport_expiry": "international passport expiry",
    "field.destination": "destination",
    "field.entry_date": "entry date",
    "field.stay_basis": "stay basis",
    "field.criminal_case": "criminal case",
    "field.wanted": "wanted",
    "field.arrested_in_absentia": "arrested in absentia",
    "field.charges": "charges",
    "field.protest_history": "protest history",
    "field.draft_notice": "draft notice",
    "field.military_liable": "military liable",
    "field.public_statements": "public statements",
    "field.activism_abroad": "activism abroad",
    "field.occupation": "occupation",
    "field.foreign_agent": "foreign agent",
    "field.organisation_status": "organisation status",
    "field.foreign_funding": "foreign funding",
    "field.relatives_in_russia": "relatives in russia",
    "field.onward_destinations": "onward destinations",
    "field.needs_shelter": "needs shelter",
    # --- compare -------------------------------------------------------------------------
    "compare.title": "Destinations compared, safest first",
    "compare.as_of": "as of {date}",
    "compare.case": "case {id}",
    "compare.no_risks": "no rule in the pack applies",
    "compare.possible": "possible",
    "compare.deadline": "nearest deadline {date} ({days})",
    "compare.not_covered": (
        "The rule pack says nothing specific about: {names}. "
        "That is no information, not safety: ask a lawyer or an organisation "
        "that helps people in your situation there."
    ),
    "compare.none_covered": "None of these countries is covered by the rule pack.",
    "compare.caveat": (
        "Safest first means only: fewest and least severe of the risks the sources describe. "
        "riskcli is not legal advice; laws and practice change."
    ),
    # --- the batch's triage summary -------------------------------------------------------
    "triage.head": "{n} rows: {ok} assessed, {bad} with errors",
    "triage.by_severity": "Highest confirmed severity per case: {counts}",
    "triage.none": "no risk found",
    "triage.not_covered": "country not described by the rule pack (no information, not safety)",
    "triage.urgent": "Most urgent first:",
    "triage.more_urgent": "... and {n} more with risks",
    "triage.errors": "Rows with errors (fix them and run again):",
    "triage.other_errors": "  other rows with errors: {rows}",
    "triage.more_errors": "... and {n} more rows with errors (status error in the output)",
    "triage.deadline": "deadline {date}, {days}",
    "triage.row": "row {n}",
    "triage.no_rows": "no intakes found in the file",
    "triage.rows": "rows {rows}",
    "triage.and_more": "and {n} more",
    "triage.ignored": (
        "Ignored columns (not fields of the intake; their contents were not read): {names}"
    ),
    "triage.example": "Skipped the template's example row ({rows}): it is not a case.",
    # --- the progress bar of long work ----------------------------------------------------
    "progress.rows": ("{done} row", "{done} rows"),
    "progress.rows_of": ("{done} / {total} row", "{done} / {total} rows"),
    # --- riskcli cases import --------------------------------------------------------------
    "import.done": (
        "Imported into {path}: {new} new case(s), {updated} existing case(s) updated "
        "by case_id ({same} of them already up to date, not rewritten), {bad} row(s) not "
        "imported (errors)."
    ),
    "import.notes_long": "notes: longer than {max} characters; shorten the cell",
    "import.notes_kind": "notes: expected text",
    "import.ambiguous": (
        "case_id {ref} is used by several cases in the store ({keys}); "
        "nothing imported for this row (edit those cases with `riskcli cases edit KEY`)"
    ),
    # --- the calendar (the events name only the case id) ----------------------------------
    "ics.entry_date": "end of stay",
    "ics.international_passport_expiry": "passport deadline",
    "ics.summary": "riskcli: {kind}, case {case}",
    "ics.summary_nocase": "riskcli: {kind}",
    "ics.description": (
        "A deadline riskcli computed for case {case}. Run riskcli for this case to see "
        "what it means and what to do before it."
    ),
    "ics.description_nocase": (
        "A deadline riskcli computed. Run riskcli again to see what it means and what "
        "to do before it."
    ),
    "ics.alarm": ("In {n} day: {kind}, case {case}", "In {n} days: {kind}, case {case}"),
    "ics.alarm_nocase": ("In {n} day: {kind}", "In {n} days: {kind}"),
    # --- riskcli cases -------------------------------------------------------------------
    "cases.key": "KEY",
    "cases.case_id": "CASE ID",
    "cases.highest": "HIGHEST",
    "cases.deadline": "DEADLINE",
    "cases.days": "DAYS LEFT",
    "cases.assessed": "LAST ASSESSED",
    "cases.risk": "RISK",
    "cases.never": "never",
    "cases.none": "none",
    "cases.no_cases": "No cases in the store.",
    "cases.stale": (
        "{n} case(s) were last assessed with other rules: `riskcli cases reassess` "
        "shows what changed."
    ),
    "cases.saved": "saved case {key}{ref}: {summary}",
    "cases.updated": "updated case {key}{ref}: {summary}",
    "cases.not_changed": "nothing was changed",
    "cases.summary_none": "no risk found",
    "cases.summary": "highest severity {sev}",
    "cases.summary_deadline": "nearest deadline {date} ({days})",
    "cases.deleted": "deleted case {key}",
    "cases.confirm_delete": "Delete case {key}{ref} for good?",
    "cases.not_deleted": "nothing deleted",
    "cases.export_warning": (
        "WARNING: {path} holds this person's answers UNENCRYPTED. Hand it over only in "
        "person or over an encrypted channel, and delete it when done."
    ),
    "cases.no_deadlines": "No coming deadlines.",
    "cases.wipe_prompt": (
        "This deletes the case store {path} with {n} case(s) for good. Type WIPE to go on",
        "This deletes the case store {path} with {n} case(s) for good. Type WIPE to go on",
    ),
    "cases.wiped": "wiped {path}",
    "cases.not_wiped": "not wiped: the confirmation did not match",
    "cases.reassess_head": "Rule pack {version}, as of {date}: {n} of {total} case(s) changed.",
    "cases.reassess_none": "Rule pack {version}, as of {date}: no case changed ({total} checked).",
    "cases.new_risk": "new risk",
    "cases.gone_risk": "risk gone",
    "cases.severity_up": "severity up",
    "cases.severity_down": "severity down",
    "cases.deadline_moved": "deadline moved",
    "cases.deadline_passed": "deadline passed",
    "cases.certainty": "certainty changed",
    "cases.not_saved": "(what-if run: nothing saved)",
    # {n} counts the keys: the English stays "case(s)", the Russian agrees with the count.
    "cases.dup_ref": (
        "note: case_id {ref!r} is also used by case(s) {keys}",
        "note: case_id {ref!r} is also used by case(s) {keys}",
    ),
    "cases.damaged": (
        "case(s) {keys} cannot be read: damaged. `riskcli cases delete KEY` removes one",
        "case(s) {keys} cannot be read: damaged. `riskcli cases delete KEY` removes one",
    ),
    "cases.no_assessment": "case {key} has no saved assessment",
    "cases.notes_head": "Volunteer's notes (kept encrypted with the case)",
    "cases.unset_unknown": "--unset {field}: unknown field; allowed: {allowed}",
    "cases.nothing_to_change": (
        "nothing to change: give --changes FILE (or - for standard input), --answers FILE "
        "or --unset FIELD (or run it on a terminal to change the answers in the interview)"
    ),
    "cases.no_set": (
        "--set is refused: answers are never taken on the command line, where every user "
        "of this machine sees them (ps, /proc) and the shell history keeps them. Put the "
        "changes in a file and give `--changes FILE` (only the fields it names change; null "
        "forgets one), or pipe them in with `--changes -`; `--answers FILE` (or -) replaces "
        "all the answers; or run `riskcli cases edit ID` on a terminal to change them in the "
        "interview"
    ),
    "cases.wiped_link": "wiped {path}, the file {link} pointed to, and removed the link",
    "cases.wipe_damaged_prompt": (
        "{path} is a damaged case store (its cases cannot be counted). Wiping deletes it "
        "for good. Type WIPE to go on"
    ),
    "cases.started": "STARTED",
    "cases.last_saved": "LAST SAVED",
    "cases.answers": "ANSWERS",
    "cases.no_drafts": "No drafts of interrupted interviews.",
    "cases.draft_deleted": "deleted draft {key}",
    "cases.draft_damaged": "damaged",
    "cases.drafts_hint": (
        "`riskcli assess --resume` continues the newest; `riskcli cases drafts --delete "
        "KEY` deletes one."
    ),
    "cases.name_like": (
        "riskcli: warning: case_id {ref} looks like a person's name; a case file should "
        "name no one: use a neutral reference (e.g. vol-17) and `riskcli cases edit` to change it"
    ),
    "cases.redact_note": (
        "riskcli: --redact left out the answers, the case id and the store's key; the "
        "findings' titles, advice and deadlines are shown as they are and can reveal the "
        "person's situation: read it before you send it"
    ),
    "error.exists": "{option} {path}: already exists; pass --force to replace it",
    # --- riskcli rules -------------------------------------------------------------------
    "rules.no_rule": "no rule {rule}; similar: {close}",
    "rules.no_rule_list": "no rule {rule}; see `riskcli rules list`",
    "rules.not_folder": "--sources {path}: not a folder",
    # --- the command line ----------------------------------------------------------------
    "cli.stopped": "stopped; nothing was saved",
    "cli.stopped_draft": (
        "stopped; your answers so far are kept encrypted: `riskcli assess --resume` continues"
    ),
    "cli.saved_case": "riskcli: saved as case {key} (encrypted) in {path}",
    # --- errors: bad input (one line, exit 2) ---------------------------------------------
    "error.at": "{where}: {error}",
    "error.cannot_write": "{option} {path}: cannot write: {reason}",
    "error.answers_with_store": (
        "--save-case and --resume go with the interview; to store answers from a file "
        "use `riskcli cases add --answers FILE`"
    ),
    "error.no_answers": (
        "no answers given: pass --answers FILE (JSON or YAML), or - to read standard input"
    ),
    "error.no_draft": "{path}: no interrupted interview to resume",
    "error.not_mapping": "{source}: expected a mapping of field names to answers, got {kind}",
    "error.key_not_text": "{source}: field names must be text, got {key}",
    "error.unknown_field": "unknown field {field}; allowed fields: {allowed}",
    "error.required": "field {field} is required; allowed: {allowed}",
    "error.field": "field {field}: {error}",
    "error.field_allowed": "field {field}: {error}; allowed: {allowed}",
    # pydantic's own checks of a text field (case_id), in pydantic's English words
    "error.string_too_long": "String should have at most {max_length} characters",
    "error.string_pattern_mismatch": "String should match pattern '{pattern}'",
    "error.string_type": "Input should be a valid string",
    "error.date_type": "Input should be a valid date",
    "error.not_bool": "{value} is not a yes/no answer; allowed: {allowed}",
    "error.not_real_date": "{value} is not a real date; allowed: {allowed}",
    "error.not_date": "{value} is not a date; allowed: {allowed}",
    "error.date_range": "{value} is out of range ({low} to {high})",
    "error.date_after_as_of": "{value} is after the assessment date {as_of}",
    "error.not_country": "{value} is not a country code; allowed: {allowed}",
    "error.not_list": "{value} is not a list; write items separated by ';'",
    "error.not_charge": "{value} is not an article number; allowed: {allowed}",
    "error.not_allowed": "{value} is not allowed; allowed: {allowed}",
    "allowed.bool": "true/false, yes/no, да/нет (or leave empty if unknown)",
    "allowed.date": "a date as YYYY-MM-DD or DD.MM.YYYY",
    "allowed.country": "an ISO 3166-1 alpha-2 country code such as KZ, KG, AM, GE, TR, DE, US",
    "allowed.charge": "articles of the Russian Criminal Code such as 282.1 or 207.3",
    "allowed.one_of": "one of: {values}",
    "allowed.some_of": "one or more of: {values}",
    "allowed.case_id": "free text of at most 64 characters on one line, with no names",
    # files: {what} is one of the what.* words
    "what.file": "file",
    "what.answers_file": "answers file",
    "what.rule_file": "rule file",
    "what.source_registry": "source registry",
    "error.no_such_file": "{name}: no such {what}",
    "error.is_directory": "{name}: is a directory, not a {what}",
    "error.cannot_read": "{name}: cannot read: {reason}",
    "error.too_large": "{name}: larger than {mb} MB; not read",
    "error.utf16": "{name}: UTF-16 or UTF-32 text; save it as UTF-8",
    "error.not_utf8": "{name}: not UTF-8 text (byte {byte}); save it as UTF-8",
    "error.nul_byte": "{name}: contains a NUL byte; not a text file",
    "error.empty_file": "{name}: the {what} is empty",
    "error.too_deep": "{name}: lists or mappings nested more than {depth} deep",
    "error.broken_json": "{name}: line {line}, column {column}: broken JSON: {problem}",
    "error.long_number": "{name}: a number too long to read",
    "error.broken_yaml_at": "{name}: line {line}, column {column}: broken YAML: {problem}",
    "error.broken_yaml": "{name}: broken YAML: {problem}",
    "error.duplicate_key": "duplicate key {key}",
    "error.yaml_alias_loop": "line {line}: a YAML alias refers to a value that contains it",
    "error.yaml_aliases": (
        "YAML aliases (*name) expand to {count} values; at most {limit} more than written "
        "are allowed"
    ),
    # --- the one summary (issue 12): headline, action block, what to check ----------------
    "headline_level": "{sev}",
    "headline_none_confirmed": "No risk is confirmed by your answers",
    "answer_to_know": "answer {questions} to know",
    "most_serious_possible": "The most serious that could apply: {sev}.",
    "nearest_deadline": "Nearest deadline",
    "do_first": "What to do first",
    "do_first_answer": (
        "First answer the questions under “Answer these to know more”: "
        "they decide what applies to you."
    ),
    "open_questions": "Questions still open: {n} (see “Answer these to know more”).",
    "warning": "WARNING: two of your answers cannot both be true",
    "risks_confirmed": "Risks that follow from your answers",
    "could_apply": "Could apply: depends on questions you have not answered",
    "answer_these": "Answer these to know more",
    "settles_one": "{settles}: {sev}",
    "settles_many": "{settles}; the most serious: {sev}",
    "inferred_head": "What we took from your answers",
    "inferred_line": "Taken from your answer “{said}”: {so} ({reason}).",
    "inferred_kind": (
        "This is general reference knowledge, not from the source documents "
        "(written down {date}). If it is wrong for you, answer the question yourself."
    ),
    "see_sources": "Sources",
    "cases.no_information": "no information",
    "cases.country_no_information": "country: no information",
    "cases.could_be": "could be {sev}",
    "cases.no_risk_found": "no risk found",
    "cases.summary_possible": "no risk confirmed; could be {sev}",
    "cases.confirmed": "confirmed",
    "cases.possible": "possible",
    "compare.if_applies": "if it applies",
    "triage.possible": "none confirmed, some could apply",
    "triage.could_be": "could be {sev}",
    "triage.if_applies": "if it applies",
    "ics.if_applies": "{kind} (if it applies)",
    "count.more_could_apply": ("{n} more risk could apply", "{n} more risks could apply"),
    "count.but_could_apply": ("but {n} could apply", "but {n} could apply"),
    "count.questions": ("{n} question", "{n} questions"),
    "count.risks_follow": (
        "{n} risk follows from your answers",
        "{n} risks follow from your answers",
    ),
    "count.settles": ("settles {n} risk", "settles {n} risks"),
}
