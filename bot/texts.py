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
