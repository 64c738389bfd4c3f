"""Every user-facing text, in bokmål, in one place (so nynorsk or English can be added)."""

from __future__ import annotations

import re

NO_ANSWER = "Jeg fant ikke noe sikkert svar på dette i dokumentene jeg kjenner."
NO_ANSWER_REPHRASE = (
    "Prøv gjerne å spørre på en annen måte, med ord fra lederplattformen, lojalitetsprinsippene "
    "eller delegeringsreglene – for eksempel «Hva betyr lojalitet hos oss?» eller «Hvem kan delegere myndighet?»."
)
NO_ANSWER_HR = "Gjelder det noe annet, kan du spørre {hr_contact}."
EMPTY_QUESTION = "Skriv et spørsmål, så leter jeg i lederplattformen, lojalitetsprinsippene og delegeringsreglene."
NOT_A_QUESTION = (
    "Jeg fant ingen ord å søke etter i meldingen din. Skriv spørsmålet med ord, for eksempel "
    "«Hva er en delegeringssperre?»."
)
TOO_LONG = "Spørsmålet var veldig langt, så jeg søkte bare på de første {limit} tegnene."
SOURCE = "Kilde: {title}{section} – {label}"
SECTION = ", {section}"
EXAMPLE_FROM = "Eksempel fra {owner}"
NATIONAL_GUIDANCE = "Nasjonal veiledning fra {owner}"
UNSURE_INTRO = "Jeg er ikke sikker, men dette er det nærmeste jeg fant:"
SEE_ALSO = "Se også"
ANSWER_INTRO = "Dette sier dokumentene:"
# The database is down while a leader writes in a DM: a reflection answer cannot be saved.
NOT_SAVED_SEND_AGAIN = (
    ":warning: *Jeg får ikke lagret noe akkurat nå* (databasen svarer ikke). Var dette et svar på et "
    "refleksjonsspørsmål, er det *ikke lagret*: send det samme svaret på nytt om noen minutter, så havner "
    "det under riktig spørsmål. Var det et spørsmål, står svaret under."
)
INTERNAL_ERROR = "Beklager, noe gikk galt hos meg. Prøv igjen om litt; vedvarer feilen, si fra til {hr_contact}."
CHAT_WELCOME = (
    "Hei! Jeg er lederbot. Spør meg om lederplattformen, lojalitet eller delegering, "
    "eller skriv «refleksjon» for å reflektere med spørsmålene fra KS' lederveileder.\n"
    "En tom linje avslutter."
)
CHAT_PROMPT = "Du: "
CHAT_CHOOSE = "Skriv nummeret for å velge."
CHAT_EXPORTED = "Filen er lagret i {path}."
CHAT_BYE = "Ha en fin dag!"

# Slack and Teams
BUTTON_USEFUL = "👍 Nyttig"
BUTTON_NOT_USEFUL = "👎 Ikke nyttig"
BUTTON_ASK_HR = "Spør HR"
BUTTON_SHARE = "Del i kanalen"
BUTTON_SHOW_MORE = "Vis mer"
ANSWER_HEADING = "*Dette sier dokumentene:*"
PASSAGE_HEADING = "*Utdrag:*"
THANKS_FEEDBACK = "Takk for tilbakemeldingen!"
FEEDBACK_NOT_SAVED = "Takk! Jeg fikk dessverre ikke lagret tilbakemeldingen akkurat nå."
FEEDBACK_MODAL_TITLE = "Hva manglet?"
FEEDBACK_MODAL_LABEL = "Fortell gjerne kort hva som ikke stemte eller manglet (valgfritt)."
FEEDBACK_MODAL_SUBMIT = "Send"
FEEDBACK_MODAL_CLOSE = "Lukk"
ASK_HR_POST = (
    "{user} ber om hjelp fra HR med et spørsmål til lederbot:\n«{question}»\n"
    "Svaret lederbot viste bygget på: {source}\nSvar gjerne {user} direkte."
)
ASK_HR_NO_SOURCE = "ingen kilde (lederbot fant ikke noe sikkert svar)"
ASK_HR_SENT = "Spørsmålet ditt er sendt privat til {hr_contact}, med kilden til svaret. HR svarer deg direkte."
ASK_HR_FAILED = "Jeg fikk ikke sendt spørsmålet til HR akkurat nå. Ta kontakt med {hr_contact} direkte."
ANSWER_EXPIRED = "Jeg husker ikke lenger dette svaret. Still spørsmålet på nytt, så får du knappene igjen."
FEEDBACK_NOT_YOURS = "Bare den som stilte spørsmålet kan gi tilbakemelding på svaret eller bruke knappene."
HOME_MORE_IN_REPORT = "Mer finnes i HR-rapporten: skriv `/leder rapport`."
ASK_HR_NO_CONTACT = "Det er ikke satt opp noen HR-kontakt i lederbot. Ta kontakt med {hr_contact}."
SHARED_BY = "Delt av {user}: «{question}»"
OPEN_DM = "Jeg har sendt deg en direktemelding – refleksjonen fortsetter der."
NOT_IN_CHANNEL = "Jeg er ikke med i denne kanalen ennå. Inviter @lederbot først (/invite @lederbot)."
COMMAND_HELP = (
    "Skriv spørsmålet etter kommandoen, for eksempel `/leder Hva er en delegeringssperre?`. "
    "Svaret ser bare du, og du kan dele det i kanalen."
)
HOME_TITLE = "Hei! Jeg er lederbot :wave:"
HOME_WHAT = (
    "Jeg svarer på spørsmål om *lederplattformen*, *lojalitet* og *delegering* ved å lete i kommunens "
    "dokumenter og KS' «Guide til god ledelse». Du får setningene som svarer, utdraget rundt dem og kilden. "
    "Finner jeg ikke noe sikkert, sier jeg det – jeg dikter aldri opp svar."
)
HOME_HOW = (
    "*Slik spør du:* send meg en direktemelding, nevn @lederbot i en kanal (jeg svarer i tråden), "
    "eller bruk `/leder <spørsmål>` for et svar bare du ser."
)
HOME_EXAMPLES_TITLE = "*Eksempler:*"
HOME_EXAMPLES = (
    "Hva er en delegeringssperre?",
    "Hva betyr lojalitet i Heim kommune?",
    "Hvem har ansvaret når myndighet er delegert?",
    "Hva er visjonen i lederplattformen?",
)
HOME_REFLECTION = (
    "*Refleksjon:* gå gjennom spørsmålene «TIL REFLEKSJON» fra KS' «Guide til god ledelse», alene her eller "
    "sammen med ledergruppen din (`/refleksjon gruppe <tema>`). Svarene dine er bare dine."
)
HOME_REFLECTION_BUTTON = "Start en refleksjon"
HOME_PRIVACY_TITLE = "*Personvern – hva som lagres og hvem som ser det*"
HOME_PRIVACY = (
    "• For hvert spørsmål lagres en pseudonym nøkkel (ikke navnet ditt eller bruker-ID), tidspunkt, kanaltype, "
    "om jeg fant svar, hvilke kilder jeg viste, svartid og tilbakemeldingen din.\n"
    "• Teksten i spørsmål jeg *ikke* fant svar på lagres i {days} dager uten identitet, slik at de som "
    "vedlikeholder dokumentene ser hva som mangler. Andre spørsmålstekster lagres ikke.\n"
    "• HR ser bare samlede tall for hele uker og måneder, for grupper på minst {min_group} ledere – aldri hvem "
    "som spurte om hva, og aldri tall som lar en liten gruppe regnes ut.\n"
    "• Refleksjonssvarene dine ser bare du (med mindre du deler et svar med gruppen). Skriv «mine svar», "
    "«eksporter mine svar» eller «slett mine svar» til meg. De slettes automatisk etter {months} måneder."
)
HOME_HR_TITLE = "*For HR: bruk*"
HOME_HR_EMPTY = "Ingen spørsmål registrert ennå."
HR_LINE = "• {key}: {leaders} ledere, {questions} spørsmål, {answered} besvart"
HR_LINE_SUPPRESSED = "• {key}: skjult (færre enn {min_group} ledere, eller tallet ville avslørt en liten gruppe)"
HR_ONLY = "Rapporten er bare for HR. Spør HR-avdelingen om du trenger tall."
HR_REPORT_SENT = "Rapporten er sendt til deg som fil i en direktemelding."
HR_REPORT_INTRO = "Bruk av lederbot per {by} (grupper under {min_group} ledere er skjult):"

# Reflection
R_THEMES_INTRO = "Velg et tema fra KS' «Guide til god ledelse». Jeg stiller spørsmålene ett og ett, i ditt tempo."
R_THEME_DONE_MARK = " ✓"
R_NO_THEME = "Jeg fant ikke noe tema som passer «{word}». Skriv «refleksjon» for å se alle temaene."
R_START = "*{title}* ({count} spørsmål). Svar med en melding; skriv «hopp over», «pause» eller «avslutt» når du vil."
R_QUESTION = "Spørsmål {number} av {count}: {text}"
R_SKIPPED = "Hoppet over."
R_PAUSED = "Satt på pause. Skriv «fortsett» når du vil ta det opp igjen."
R_NOTHING_PAUSED = "Du har ingen refleksjon på pause. Skriv «refleksjon» for å begynne."
R_ENDED = "Refleksjonen er avsluttet."
R_FINISHED = "Takk! Du er ferdig med «{title}». Dine svar:"
R_YOUR_ANSWER = "• {question}\n  _{answer}_"
R_NO_ANSWERS_IN_THEME = "Du svarte ikke på noen av spørsmålene denne gangen."
R_RELATED = "Les også: {source}\n«{excerpt}»"
R_MY_ANSWERS_EMPTY = "Du har ingen lagrede refleksjonssvar."
R_MY_ANSWERS_TITLE = "Dine refleksjonssvar (bare du ser dem). Endre et svar med «endre svar <nr> <ny tekst>»."
R_MY_ANSWERS_THEME = "*{title}* – {date}"
R_MY_ANSWER_LINE = "{number}. {question}\n    _{answer}_"
R_EDITED = "Svar {number} er endret."
R_EDIT_UNKNOWN = "Fant ikke svar nummer {number}. Skriv «mine svar» for å se numrene."
R_EXPORTED = "Her er alle refleksjonssvarene dine, og alt annet som er lagret om deg, som fil."
R_DELETE_CONFIRM = (
    "Vil du slette alle refleksjonssvarene dine og alt annet som er lagret om deg (planer, ubesvarte "
    "spørsmål, koblingen til lederregisteret)? Dette kan ikke angres."
)
R_DELETE_YES = "Ja, slett alt"
R_DELETE_NO = "Avbryt"
R_DELETED = (
    "Slettet {count} svar og alt annet som var lagret om deg. Bruken telles fortsatt anonymt, uten kobling til deg."
)
R_DELETE_CANCELLED = "Ingenting er slettet."
R_EMPTY_ANSWER = "Svaret var tomt. Skriv svaret ditt, eller «hopp over»."
R_RESUMING = "Vi fortsetter med «{title}»."
R_GROUP_START = "*Gruppe-refleksjon: {title}*\nSvar privat med knappen; du velger selv om svaret deles med gruppen."
R_GROUP_QUESTION = "*Spørsmål {number} av {count}:* {text}"
R_GROUP_ASYNC = "Svarfrist: {deadline}. Svar på spørsmålene når det passer deg."
R_GROUP_ANSWER_BUTTON = "Svar"
R_GROUP_NEXT_BUTTON = "Neste spørsmål"
R_GROUP_END_BUTTON = "Avslutt"
R_GROUP_SHARED = "{user} deler: «{answer}»"
R_GROUP_SAVED_PRIVATE = "Svaret ditt er lagret – bare du ser det."
R_GROUP_SAVED_SHARED = "Svaret ditt er lagret og delt med gruppen."
R_GROUP_ONLY_FACILITATOR = "Bare den som startet gruppe-refleksjonen kan gå videre eller avslutte."
R_GROUP_ENDED = "Gruppe-refleksjonen «{title}» er avsluttet. {count} deltok."
R_GROUP_SHARED_TITLE = "Delte svar:"
R_GROUP_NONE_SHARED = "Ingen delte svar denne gangen."
R_GROUP_NOT_SAVED = (
    "Jeg får ikke lagret svaret ditt akkurat nå (databasen svarer ikke). Det er *ikke lagret*: "
    "send det på nytt om noen minutter."
)
R_GROUP_CLOSED = "Denne gruppe-refleksjonen er avsluttet."
# A group's button or form used outside the group's own conversation (a card or message copied elsewhere).
R_GROUP_ELSEWHERE = (
    "Dette hører til en gruppe-refleksjon i en annen samtale, så ingenting er lagret eller endret. "
    "Bruk knappene i samtalen der gruppe-refleksjonen ble startet."
)
R_GROUP_BAD_BUTTON = "Denne knappen kan jeg ikke lese. Bruk knappene i gruppe-refleksjonens siste melding."
R_GROUP_NEEDS_THEME = "Skriv temaet etter kommandoen, f.eks. `/refleksjon gruppe verdier`."
R_MODAL_TITLE = "Ditt svar"
R_MODAL_SHARE = "Del med gruppen"
R_MODAL_PRIVATE = "Bare for meg"
R_MODAL_SUBMIT = "Lagre"
R_PLAN_SAVED = "Plan lagret: {days} kl. {time} ({tz}). Første påminnelse: {first}. Temaer: {themes}."
R_PLAN_HELP = (
    "Slik lager du en plan: `/refleksjon plan man ons kl 08:30 verdier roller`. "
    "Endre med `/refleksjon plan pause`, `fortsett`, `utsett`, `hopp` eller `stopp`."
)
R_PLAN_NONE = "Du har ingen aktiv refleksjonsplan."
R_PLAN_PAUSED = "Planen er satt på pause."
R_PLAN_RESUMED = "Planen er i gang igjen. Neste: {next}."
R_PLAN_STOPPED = "Planen er stoppet. Du får ingen flere påminnelser."
R_PLAN_SNOOZED = "Utsatt til {next}."
R_PLAN_SKIPPED = "Hoppet over neste gang. Neste: {next}."
R_PLAN_PROMPT = "Tid for refleksjon: *{title}*. Vil du begynne nå?"
R_PLAN_REMINDER = "En vennlig påminnelse: refleksjonen «{title}» venter når du har tid."
R_PLAN_START_BUTTON = "Start nå"
R_PLAN_GROUP_PROMPT = "Tid for gruppe-refleksjon: *{title}*. Fasilitator starter med `/refleksjon gruppe {word}`."
WEEKDAY_NAMES = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")

_EMPHASIS = re.compile(r"(?<!\w)[*_](?=\S)(.+?)(?<=\S)[*_](?!\w)")


def without_emphasis(text: str) -> str:
    """The replies mark *bold* and _italic_ Slack-style; channels without that markup show plain words."""
    return _EMPHASIS.sub(r"\1", text)


TEAMS_THANKS = "Takk for tilbakemeldingen!"
TEAMS_ANONYMOUS_REFUSED = (
    "Teams er ikke satt opp: sett MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD og MICROSOFT_APP_TENANT_ID "
    "(eller LEDERBOT_TEAMS_ALLOW_ANONYMOUS=1 for lokal testing mot en lokal connector)."
)
TEAMS_EXPORT_INLINE = "Her er svarene dine (Teams-chatten kan ikke ta imot filer fra boten uten samtykke):"
TEAMS_CHOOSE_SUBMIT = "Velg"
TEAMS_CHOOSE_LABEL = "Velg ett:"
TEAMS_CHOOSE_ONE = "Velg ett av alternativene."
# «mine svar», «refleksjon …» and the like where the bot can only answer for everyone to read.
PERSONAL_ONLY = (
    "Det du har skrevet i refleksjonene dine, viser jeg bare i en personlig chat med lederbot. "
    "Skriv det samme til meg der."
)
HR_PERSONAL_ONLY = "HR-rapporten vises bare i en personlig chat med lederbot. Skriv «rapport» til meg der."
GROUP_HELP = (
    "Start en gruppe-refleksjon i ledergruppens kanal: «@lederbot refleksjon gruppe <tema> [frist dd.mm.åååå]»."
)
CHAT_GROUP_NEEDS_CHANNEL = (
    "Gruppe-refleksjon trenger en kanal i Slack eller Teams; her i terminalen kan du reflektere alene."
)
