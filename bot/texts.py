"""Every user-facing text, in bokmål, in one place (so nynorsk or English can be added)."""

from __future__ import annotations

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
SEE_ALSO = "Se også"
ANSWER_INTRO = "Dette sier dokumentene:"
INDEX_MISSING = "Søkeindeksen er ikke bygget ennå. Kjør «lederbot index build» (eller «make index») og prøv igjen."
INDEX_BROKEN = "Søkeindeksen kan ikke brukes: {reason}"
INTERNAL_ERROR = "Beklager, noe gikk galt hos meg. Prøv igjen om litt; vedvarer feilen, si fra til {hr_contact}."
CHAT_WELCOME = (
    "Hei! Jeg er lederbot. Spør meg om lederplattformen, lojalitet eller delegering.\nEn tom linje avslutter."
)
CHAT_PROMPT = "Du: "
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
ASK_HR_POST = "{hr} – {user} vil gjerne ha hjelp fra HR med dette spørsmålet: «{question}»"
ASK_HR_NO_CONTACT = "Det er ikke satt opp noen HR-kontakt i lederbot. Ta kontakt med {hr_contact}."
SHARED_BY = "Delt av {user}: «{question}»"
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
HOME_PRIVACY_TITLE = "*Personvern – hva som lagres og hvem som ser det*"
HOME_PRIVACY = (
    "• For hvert spørsmål lagres en pseudonym nøkkel (ikke navnet ditt eller bruker-ID), tidspunkt, kanaltype, "
    "om jeg fant svar, hvilke kilder jeg viste, svartid og tilbakemeldingen din.\n"
    "• Teksten i spørsmål jeg *ikke* fant svar på lagres i {days} dager uten identitet, slik at de som "
    "vedlikeholder dokumentene ser hva som mangler. Andre spørsmålstekster lagres ikke.\n"
    "• HR ser bare samlede tall for grupper på minst {min_group} ledere – aldri hvem som spurte om hva."
)
HOME_HR_TITLE = "*For HR: bruk*"
HOME_HR_EMPTY = "Ingen spørsmål registrert ennå."
HOME_HR_SUPPRESSED = "Tallene vises når minst {min_group} ledere har brukt boten, så ingen kan kjennes igjen."
HOME_HR_SUMMARY = "Spørsmål totalt: {questions} · funnet svar: {answered_share} · 👍 {up} / 👎 {down}"
RECORDING_FAILED_LOG = "could not record"
