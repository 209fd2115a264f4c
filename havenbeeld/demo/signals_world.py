"""The demo world, third layer: signals of every theme, from plausible reporters, in every port.

Every signal goes through the real pipeline (``signals.intake.submit``): its objects are
validated, resolved against the registry layer, recorded as pieces, correlated with what other
partners hold and announced to the port's triage team. The signals reuse the second layer's
world — containers and their consignees, companies by KvK number and name (flex offices
included), vessels by IMO number, directors — so they correlate with the partners' pieces, and
add objects of their own (vehicles, young uithalers, bank accounts).

Who reports what (domain.md §3–§5):
- the terminal (Kaaiwacht) and a security company (Poortwachters, Rotterdam and Moerdijk):
  uithalers, insiders, PIN-code fraud, rip-off traces;
- the shipping line (Noordstroom): strange bookings (drugs), fraud, release codes;
- fishers (Wadkust): vessel meetings and drops at sea, people transferred at sea;
- municipal inspectors (Rotterdam, Vlissingen, Het Hogeland): malafide companies at premises,
  waste, exploitation;
- a port business association: new tenants, cash, dumping;
- police, Customs, KMar, FIOD and the harbour master where they would.
Private reporters share with all participants or the public convenant partners under the WGS,
some pseudonymously; public reporters under their own legal basis.

Older signals have been triaged by the RIEC or police analysts of their region — in progress,
linked to an integral analysis, closed with a reason — with messages to the reporter; recent
ones are new. The pipeline records everything at the moment of the build; this layer then dates
the rows back (received, status steps, notifications, correlations) to tell two years.

Planted clusters of related signals (``CLUSTERS``) are the ground truth of correlation: their
signals share a vehicle, a KvK number, an IMO number. ``planted_clusters(seed)`` finds them
again by their idempotency keys (``demo-signals-<seed>:cluster:<name>:<n>``).

The "done when" scenario of the signals issue: Customs holds a piece on container
``DEMO_CONTAINER_FOR_TERMINAL`` (public convenant partners, AWR) that no signal mentions. When
the demo terminal contributor reports it, the RIEC analyst sees the signal correlated with the
Customs piece, and the contributor sees the analyst's feedback — never the Customs piece.

Reporters without a demo account (fisher, inspectors, FIOD, KMar, police Noord, a RIEC
Zeeland-West-Brabant analyst, the security company, the association) get an account here
(``ACCOUNTS``) without a usable password or second factor: they cannot sign in.

E-mail: the historic notifications are in the app only (read when older than two weeks): the
layer runs inside ``signals.notifications.without_email``, so no e-mail task is queued and the
demo's mail folder is not flooded with two years of messages.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from stdnum import iban, iso6346

from havenbeeld.accounts.models import Organisation, Role, User
from havenbeeld.demo import vocab
from havenbeeld.demo.world import UserSpec
from havenbeeld.places.models import Port, PortArea
from havenbeeld.registry.models import (
    Credibility,
    ObjectKind,
    Piece,
    Property,
    RegistryObject,
    RelationType,
    Source,
    SourceReliability,
)
from havenbeeld.registry.services import Fact, Provenance, create_object, record_pieces
from havenbeeld.sharing.models import Distribution, LegalBasis
from havenbeeld.signals import intake, notifications, triage
from havenbeeld.signals.models import Channel as SignalChannel
from havenbeeld.signals.models import (
    CloseReason,
    Correlation,
    EventKind,
    Notification,
    Signal,
    SignalEvent,
    Status,
)

# The container the README gives the demo terminal contributor to report (fictitious owner
# code; a valid ISO 6346 check digit). Customs holds a piece on it; no signal mentions it.
DEMO_CONTAINER_FOR_TERMINAL = "HBLU2405173"
DEMO_CONTAINER_DISPLAY = "HBLU 240517 3"
DONE_WHEN_USERS = {
    "reporter": "meldkamer@kaaiwacht-terminal.example",
    "analyst": "analist@riec-rotterdam.example",
    "customs": "analist@douane-rotterdam.example",
}
MIN_BACKGROUND = 24  # enough to cover every theme and every port at the smallest scale
MAX_BACKGROUND = 5000  # every signal runs the whole pipeline; benchmarks at 10^5 companies
YEARS = 2
KEY = "demo-signals-{seed}:"

_R = Role
ACCOUNTS: tuple[UserSpec, ...] = (
    UserSpec("toezicht@gemeente-rotterdam.example", "Noor van Dalen", "Gemeente Rotterdam",
             _R.CONTRIBUTOR, "Toezichthouder bedrijven haven"),
    UserSpec("toezicht@gemeente-vlissingen.example", "Bart Joosse", "Gemeente Vlissingen",
             _R.CONTRIBUTOR, "Toezichthouder bedrijventerreinen"),
    UserSpec("boa@gemeente-hethogeland.example", "Grietje Wierenga", "Gemeente Het Hogeland",
             _R.CONTRIBUTOR, "Boa havens en buitengebied"),
    UserSpec("melding@wadkust-visserij.example", "Klaas Bosma", "Visserijcoöperatie Wadkust U.A.",
             _R.CONTRIBUTOR, "Schipper, contactpersoon meldingen"),
    UserSpec("signalen@fiod.example", "Martijn Roelofs", "Belastingdienst / FIOD", _R.ANALYST,
             "Analist ondermijning"),
    UserSpec("analist@kmar-zeehavens.example", "Lotte Vermeulen",
             "Koninklijke Marechaussee – Brigade Zeehavens", _R.ANALYST, "Informatieanalist"),
    UserSpec("analist@politie-noord.example", "Jelle Zijlstra", "Politie Eenheid Noord-Nederland",
             _R.ANALYST, "Informatierechercheur havens"),
    UserSpec("analist@riec-zwb.example", "Sofie Adriaansen", "RIEC Zeeland-West-Brabant",
             _R.ANALYST, "Analist zeehavens"),
    UserSpec("meldkamer@poortwachters.example", "Dennis Koster", "Poortwachters Beveiliging B.V.",
             _R.CONTRIBUTOR, "Meldkamercoördinator"),
    UserSpec("meldpunt@havenkring-zuidwest.example", "Esther Hamelink", "Havenkring Zuidwest",
             _R.CONTRIBUTOR, "Coördinator meldpunt"),
)


@dataclass(frozen=True)
class Reporter:
    emails: tuple[str, ...]
    ports: tuple[str, ...]
    legal_basis: str
    private: bool = False
    areas: tuple[str, ...] = ()  # preferred port areas (by name), where the port has them


REPORTERS: dict[str, Reporter] = {
    "terminal": Reporter(("meldkamer@kaaiwacht-terminal.example",
                          "meldkamer@kaaiwacht-terminal.example",
                          "security@kaaiwacht-terminal.example"), ("Rotterdam",), "wgs",
                         private=True, areas=("Maasvlakte 1",)),
    "security": Reporter(("meldkamer@poortwachters.example",), ("Rotterdam", "Moerdijk"), "wgs",
                         private=True, areas=("Eemhaven", "Haven Moerdijk")),
    "shipping": Reporter(("security@noordstroom-lijndienst.example",),
                         ("Rotterdam", "Vlissingen", "Moerdijk"), "wgs", private=True),
    "fishery": Reporter(("melding@wadkust-visserij.example",),
                        ("Lauwersoog", "Harlingen", "Den Helder", "IJmuiden", "Eemshaven"), "wgs",
                        private=True),
    "association": Reporter(("meldpunt@havenkring-zuidwest.example",),
                            ("Vlissingen", "Terneuzen", "Moerdijk"), "wgs", private=True),
    "municipality_rotterdam": Reporter(("toezicht@gemeente-rotterdam.example",), ("Rotterdam",),
                                       "avg-publieke-taak",
                                       areas=("Waalhaven", "Merwe-/Vierhavens")),
    "municipality_vlissingen": Reporter(("toezicht@gemeente-vlissingen.example",),
                                        ("Vlissingen",), "avg-publieke-taak"),
    "municipality_hogeland": Reporter(("boa@gemeente-hethogeland.example",),
                                      ("Eemshaven", "Lauwersoog"), "avg-publieke-taak"),
    "harbour": Reporter(("vaarwegen@havenmeester-rotterdam.example",), ("Rotterdam",), "wgs",
                        areas=("Europoort", "Botlek", "Maasvlakte 2")),
    "police_rotterdam": Reporter(("analist@zeehavenpolitie.example",), ("Rotterdam",), "wpg",
                                 areas=("Maasvlakte 1", "Maasvlakte 2", "Eemhaven", "Waalhaven")),
    "police_noord": Reporter(("analist@politie-noord.example",),
                             ("Eemshaven", "Delfzijl", "Harlingen", "Lauwersoog"), "wpg"),
    "customs": Reporter(("analist@douane-rotterdam.example",
                         "coordinator@douane-rotterdam.example"), ("Rotterdam", "Moerdijk"),
                        "awr-douane"),
    "kmar": Reporter(("analist@kmar-zeehavens.example",),
                     ("Rotterdam", "Vlissingen", "Eemshaven", "IJmuiden", "Den Helder",
                      "Amsterdam"), "wpg"),
    "tax": Reporter(("signalen@fiod.example",),
                    ("Rotterdam", "Amsterdam", "Moerdijk", "Vlissingen", "Terneuzen", "Delfzijl",
                     "IJmuiden"), "awr-douane"),
}

# Who triages the signals of a RIEC region (analysts of public partners serving it).
TRIAGERS: dict[str, tuple[str, ...]] = {
    "rotterdam": ("analist@riec-rotterdam.example", "analist@riec-rotterdam.example",
                  "analist@zeehavenpolitie.example", "coordinator@riec-rotterdam.example"),
    "zeeland-west-brabant": ("analist@riec-zwb.example",),
    "noord": ("analist@riec-noord.example", "analist@riec-noord.example",
              "analist@politie-noord.example"),
    "noord-holland": ("analist@kmar-zeehavens.example", "signalen@fiod.example"),
    "amsterdam-amstelland": ("analist@kmar-zeehavens.example", "signalen@fiod.example"),
}
ANALYSES = {"rotterdam": (1, 30), "zeeland-west-brabant": (40, 55), "noord": (60, 72),
            "noord-holland": (80, 88), "amsterdam-amstelland": (90, 96)}
PORT_WEIGHT = {"Rotterdam": 6, "Vlissingen": 2, "Moerdijk": 2, "Amsterdam": 2}


@dataclass(frozen=True)
class Template:
    """A kind of signal a reporter makes: titles, descriptions (``str.format`` with the
    context the object recipes fill) and the objects it names."""

    theme: str
    reporter: str
    titles: tuple[str, ...]
    descriptions: tuple[str, ...]
    objects: tuple[str, ...] = ()
    weight: int = 2


T = Template
TEMPLATES: tuple[Template, ...] = (
    # --- uithalers ---------------------------------------------------------------------------
    T("uithalers", "terminal", ("Uithalers aangetroffen bij reefercontainers",
                                "Personen verstopt in lege container aangetroffen"),
      ("Om {hour} uur zag de camera {n} personen tussen de reefers in stack {stack}. De "
       "beveiliging trof hen aan bij container {container} ({cargo} uit {origin}); de deuren "
       "waren geopend. Politie is gebeld; één van hen is geïdentificeerd.",
       "Bij de ronde van {hour} uur vonden we {n} personen met koevoeten en lege tassen in een "
       "lege container naast {container}. Ze hadden water en powerbanks bij zich; één van hen "
       "is geïdentificeerd."),
      ("container", "young_person"), weight=7),
    T("uithalers", "terminal", ("Bestelbus wacht 's nachts bij het hek",
                                "Auto rijdt herhaaldelijk langs de terreingrens"),
      ("Een bestelbus met kenteken {plate} stond van {hour} tot ruim een uur later met draaiende "
       "motor bij het hek aan de zijde van de reefers. Geen afspraak of boeking bekend.",
       "Een auto met kenteken {plate} reed tussen {hour} en het einde van de nacht {n} keer "
       "langzaam langs de terreingrens bij de reefers en stopte steeds bij hetzelfde hek."),
      ("vehicle",), weight=4),
    T("uithalers", "security", ("Onbevoegden op empty depot", "Hek van depot opengeknipt"),
      ("Bij de ronde van {hour} uur troffen we een opengeknipt hek aan; op camera zijn {n} "
       "personen te zien die een lege container in gaan. Een auto ({plate}) reed weg zonder "
       "licht.",),
      ("vehicle",), weight=4),
    T("uithalers", "police_rotterdam", ("Aanhouding uithalers (art. 138aa Sr)",
                                        "Aanhouding na melding terminalbeveiliging"),
      ("Twee verdachten aangehouden op het terrein; bij zich koevoeten, lege sporttassen en "
       "telefoons. Zij verbleven bij container {container}. Voorgeleid; locatieverbod gevorderd.",),
      ("young_person", "young_person", "container"), weight=4),
    T("uithalers", "police_noord", ("Onbevoegden op kade aangetroffen",),
      ("Tijdens surveillance om {hour} uur {n} personen op de kade aangetroffen zonder geldige "
       "reden; zij werden opgehaald door een auto met kenteken {plate}.",),
      ("vehicle",), weight=1),
    # --- insiders ----------------------------------------------------------------------------
    T("insiders", "terminal", ("Medewerker raadpleegt containergegevens buiten de eigen taak",
                               "Toegangspas gebruikt buiten rooster"),
      ("Uit de logging blijkt dat een medewerker in korte tijd {n} containers heeft opgevraagd "
       "die niet bij het eigen werk horen, waaronder {container}. De medewerker was die nacht "
       "niet ingeroosterd.",
       "De pas van een medewerker werd om {hour} uur gebruikt bij de reefers, terwijl de "
       "medewerker niet was ingeroosterd. Kort daarna werd {container} verplaatst."),
      ("person", "container"), weight=3),
    T("insiders", "security", ("Pas van collega gebruikt bij de poort",),
      ("Bij de poort werd om {hour} uur de pas van een collega gebruikt; op de camera is een "
       "andere persoon te zien, die in een auto met kenteken {plate} kwam.",),
      ("person", "vehicle"), weight=2),
    T("insiders", "shipping", ("Medewerker vraagt vrijgavegegevens op buiten de eigen "
                               "portefeuille",),
      ("Een medewerker van de klantenservice vroeg {n} keer vrijgavegegevens op van containers "
       "van een klant die niet bij de eigen portefeuille hoort, waaronder {container}.",),
      ("person", "container"), weight=1),
    T("insiders", "police_rotterdam", ("Informatie: medewerker verkoopt containerinformatie",),
      ("Informatie dat een havenmedewerker tegen betaling containernummers en posities "
       "doorgeeft. De medewerker zou werken via {company}.",),
      ("person", "company"), weight=1),
    # --- PIN-code fraud ----------------------------------------------------------------------
    T("pincode", "terminal", ("Container opgehaald door onbekende vervoerder",
                              "Vrijgave gebruikt voordat de ontvanger kwam"),
      ("Container {container} ({cargo} uit {origin}) werd om {hour} uur opgehaald met een "
       "geldige vrijgave door een vervoerder die de ontvanger niet kent; trekker {plate}.",),
      ("container", "vehicle", "transport_company"), weight=3),
    T("pincode", "shipping", ("Klant meldt container al opgehaald",
                              "Vrijgavecode gedeeld buiten de keten"),
      ("De ontvanger van {container} meldt dat de container al is opgehaald voordat zijn eigen "
       "vervoerder kwam. De vrijgave is via een gedeelde mailbox gegaan.",),
      ("booking",), weight=3),
    T("pincode", "security", ("Chauffeur zonder geldige identiteit in de keten",),
      ("Chauffeur probeerde om {hour} uur container {container} op te halen; zijn identiteit "
       "klopte niet met de aangemelde vervoerder. Trekker {plate} reed weg.",),
      ("container", "vehicle"), weight=1),
    # --- drugs -------------------------------------------------------------------------------
    T("drugs", "shipping", ("Afwijkende boeking: nieuwe ontvanger, vracht door derde betaald",
                            "Boeking snel omgezet naar andere ontvanger"),
      ("Boeking voor {container} ({cargo} uit {origin}): de ontvanger {company} is nieuw bij "
       "ons, de vracht werd contant door een derde betaald en de ontvanger vroeg om de "
       "container niet op de terminal maar bij een loods te lossen.",),
      ("booking",), weight=4),
    T("drugs", "customs", ("Afwijkend scanbeeld koelmotor",
                           "Container na scan geselecteerd voor fysieke controle"),
      ("Scanbeeld van {container} ({cargo} uit {origin}) wijkt af bij de koelmotor. "
       "Ontvanger {company}.",),
      ("booking",), weight=3),
    T("drugs", "terminal", ("Zegel verbroken aangetroffen (rip-off vermoed)",),
      ("Bij container {container} bleek het zegel vervangen; het nummer komt niet overeen met "
       "het manifest. Tassen lagen achter de deuren.",),
      ("container",), weight=2),
    T("drugs", "fishery", ("Ontmoeting op zee: boot langszij koopvaardijschip",
                           "Pakketten overboord gezet bij koopvaardijschip"),
      ("Vanaf ons schip zagen we om {hour} uur hoe {vessel} stillag buiten de vaargeul; een "
       "kleine snelle boot zonder AIS ging langszij en voer daarna richting de kust.",
       "Vanaf de kotter zagen we om {hour} uur hoe vanaf {vessel} {n} pakketten aan een boei "
       "overboord gingen. Het schip voer daarna zonder vaart te minderen door."),
      ("vessel",), weight=3),
    T("drugs", "police_noord", ("Pakketten aangespoeld",),
      ("{n} verpakte pakketten aangespoeld op het strand bij de haven; vermoedelijk cocaïne. "
       "Verpakking met logo; Douane geïnformeerd.",), weight=1),
    T("drugs", "harbour", ("Schip wijkt af van de aangemelde route",),
      ("{vessel} lag ruim {n} uur buiten het aanloopgebied voor anker zonder opgave van reden "
       "en voer daarna zonder loods naar binnen.",),
      ("vessel",), weight=2),
    T("drugs", "kmar", ("Bemanningslid met veel contant geld",),
      ("Bij controle van de bemanning van {vessel} had één bemanningslid ruim € {amount} "
       "contant bij zich.",),
      ("vessel", "person"), weight=1),
    # --- malafide ----------------------------------------------------------------------------
    T("malafide", "municipality_rotterdam", ("Integrale controle: geen activiteit op adres",
                                             "Veel bedrijven ingeschreven op één adres"),
      ("Bij de integrale controle bleek het pand leeg; op het adres staan volgens het "
       "Handelsregister veel bedrijven ingeschreven, waaronder {company}.",),
      ("flex_company", "address"), weight=4),
    T("malafide", "municipality_vlissingen", ("Nieuw bedrijf vraagt vergunning voor loods",),
      ("{company} vraagt een omgevingsvergunning voor opslag in een loods; het bedrijf is pas "
       "opgericht en de bestuurder woont in het buitenland.",),
      ("company", "director"), weight=2),
    T("malafide", "municipality_hogeland", ("Opvallende huurder bedrijfsunit",),
      ("Een bedrijfsunit bij de haven is verhuurd aan {company}; huur vooruit contant betaald, "
       "er is geen activiteit te zien.",),
      ("company",), weight=2),
    T("malafide", "tax", ("Geen personeel, grote importvolumes",),
      ("{company} importeert veel containers maar heeft geen personeel en geen eigen "
       "bedrijfsruimte; bestuurder wisselde twee keer in een jaar.",),
      ("company", "director"), weight=2),
    T("malafide", "association", ("Nieuwe huurder betaalt contant vooruit",),
      ("Een lid meldt dat {company} een loods huurt en een jaar huur contant vooruit betaalde; "
       "er komen 's nachts vrachtwagens.",),
      ("company",), weight=2),
    T("malafide", "shipping", ("Ontvanger wisselt steeds van expediteur",),
      ("Boekingen voor {company} gaan in korte tijd via steeds andere expediteurs; de vracht "
       "wordt door een derde betaald.",),
      ("booking",), weight=1),
    # --- geldstromen ------------------------------------------------------------------------
    T("geldstromen", "tax", ("Contante stortingen en betalingen naar het buitenland",),
      ("Op de rekening van {company} worden grote contante bedragen gestort (ruim € {amount}) "
       "en direct doorgeboekt naar het buitenland.",),
      ("company", "iban"), weight=3),
    T("geldstromen", "police_rotterdam", ("Grote som contant geld aangetroffen",),
      ("Bij een verkeerscontrole in het havengebied werd € {amount} contant aangetroffen in "
       "auto {plate}.",),
      ("vehicle", "person"), weight=2),
    T("geldstromen", "municipality_rotterdam", ("Hoge omzet, weinig klanten",),
      ("Een belwinkel bij de haven heeft volgens de huurder een hoge omzet maar nauwelijks "
       "klanten; eigenaar is {company}.",),
      ("company",), weight=1),
    T("geldstromen", "association", ("Contant betaalde bedrijfsauto's",),
      ("Een lid meldt dat een nieuw bedrijf drie bedrijfsauto's contant afrekende; een ervan is "
       "{plate}.",),
      ("vehicle",), weight=1),
    # --- mensensmokkel -----------------------------------------------------------------------
    T("mensensmokkel", "kmar", ("Verstekelingen aangetroffen",),
      ("Bij controle van {vessel} werden {n} verstekelingen aangetroffen; zij zouden aan boord "
       "zijn gekomen in de laatste haven.",),
      ("vessel",), weight=3),
    T("mensensmokkel", "harbour", ("Kapitein meldt verstekeling aan boord",),
      ("De kapitein van {vessel} meldt bij aankomst een verstekeling in het roerhuis.",),
      ("vessel",), weight=1),
    T("mensensmokkel", "fishery", ("Personen op zee overgezet",),
      ("We zagen hoe bij {vessel} {n} personen in een rubberboot werden overgezet die daarna "
       "richting de kust voer.",),
      ("vessel",), weight=1),
    T("mensensmokkel", "municipality_rotterdam", ("Slaapplaatsen in bedrijfspand",),
      ("Bij controle in het pand van {company} troffen we slaapplaatsen aan voor ongeveer {n} "
       "arbeidsmigranten.",),
      ("company", "address"), weight=2),
    T("mensensmokkel", "police_noord", ("Busje met arbeidsmigranten",),
      ("Busje {plate} bracht om {hour} uur {n} mensen naar de haven; geen van hen kon zeggen "
       "voor wie ze werkten.",),
      ("vehicle",), weight=1),
    # --- afval -------------------------------------------------------------------------------
    T("afval", "customs", ("Afval gedeclareerd als tweedehands goederen",),
      ("Container {container} is aangegeven als tweedehands onderdelen maar bevat volgens de "
       "scan vooral autowrakken en accu's. Afzender {company}.",),
      ("booking",), weight=2),
    T("afval", "municipality_rotterdam", ("Illegale opslag van afvalolie",),
      ("Op het terrein van {company} staan tientallen vaten afvalolie zonder vergunning; "
       "vermoeden van bijmengen in stookolie.",),
      ("company", "address"), weight=1),
    T("afval", "municipality_vlissingen", ("Dumping bij de kade",),
      ("Bij de kade is 's nachts bouw- en sloopafval gestort; een kiepwagen met kenteken "
       "{plate} is gezien.",),
      ("vehicle",), weight=1),
    T("afval", "municipality_hogeland", ("Afval gestort op haventerrein",),
      ("Op een braakliggend stuk haventerrein zijn big bags met onbekend afval gestort; "
       "vrachtwagen {plate} werd gezien.",),
      ("vehicle",), weight=1),
    T("afval", "harbour", ("Verdachte overslag van slops",),
      ("{vessel} nam slops over van een bunkerschip zonder melding; vermoeden van bijmengen.",),
      ("vessel",), weight=1),
    T("afval", "association", ("Containers met afval blijven staan",),
      ("Op een terrein staan al weken containers met afval van {company}; niemand haalt ze op.",),
      ("company",), weight=1),
    # --- fraude ------------------------------------------------------------------------------
    T("fraude", "customs", ("Onderwaardering in aangifte", "Valse ladingpapieren"),
      ("De aangifte van {container} noemt een waarde ver onder de marktprijs van {cargo}; "
       "importeur {company}.",),
      ("booking",), weight=3),
    T("fraude", "shipping", ("Gewicht wijkt sterk af van de opgave",),
      ("Het gewogen gewicht van {container} wijkt ruim {n} ton af van de bill of lading; "
       "opgegeven lading {cargo}.",),
      ("booking",), weight=2),
    T("fraude", "tax", ("Vermoeden btw-fraude via transportbedrijf",),
      ("{company} factureert grote bedragen aan steeds nieuwe afnemers die snel weer "
       "verdwijnen.",),
      ("transport_company", "iban"), weight=2),
    T("fraude", "kmar", ("Vervalst monsterboekje zeevarende",),
      ("Bij controle van de bemanning van {vessel} bleek het monsterboekje van één zeevarende "
       "vervalst.",),
      ("vessel", "person"), weight=1),
    # --- overig ------------------------------------------------------------------------------
    T("overig", "harbour", ("Drone boven terminalterrein",),
      ("Om {hour} uur hing een drone ruim tien minuten boven de stack; de bestuurder is niet "
       "gevonden.",), weight=1),
    T("overig", "fishery", ("Snelle boot zonder AIS in de haven",),
      ("'s Nachts om {hour} uur voer een snelle boot zonder verlichting en zonder AIS de haven "
       "in en na een kwartier weer uit.",), weight=2),
    T("overig", "municipality_hogeland", ("Opvallende bezoekers jachthaven",),
      ("In de jachthaven lag een week lang een motorjacht met wisselende bezoekers die met auto "
       "{plate} kwamen.",),
      ("vehicle",), weight=1),
    T("overig", "police_noord", ("Verdachte situatie bij de haven",),
      ("Bewoners melden auto {plate} die 's nachts bij de haven staat zonder dat iemand "
       "uitstapt.",),
      ("vehicle",), weight=1),
)

CLUSTERS = {
    "uithalers-maasvlakte": "A series of uithaler signals at the terminal on Maasvlakte 1: the "
                            "same van and containers of the same consignee.",
    "malafide-flexadres": "Municipality, FIOD, the shipping line and a second municipality "
                          "report the same company (KvK) registered at a flex office.",
    "visserij-ontmoetingen": "Fishers (and the police) report the same merchant vessel (IMO) "
                             "meeting small boats at sea.",
    "insider-terminals": "The same person and car named by the terminal, by the security "
                         "company at Moerdijk and by the police.",
}


# --- what the second layer built -------------------------------------------------------------

@dataclass
class Known:
    """The registry layer's world, as partners told it."""

    companies: list[dict]
    bookings: list[dict]  # container number, cargo, origin, consignee (a company dict)
    vessels: list[dict]
    persons: list[dict]
    flex: list[dict]  # companies registered at an address shared by three or more
    transport: list[dict]


def _by_object(rows) -> dict[int, dict]:
    objects: dict[int, dict] = defaultdict(dict)
    for object_id, entity, prop, scheme, value in rows:
        record = objects[object_id]
        record.setdefault("entity", entity)
        record.setdefault("object_id", object_id)
        record.setdefault(scheme or prop, value)
    return objects


def _load(seed: int, scale: int) -> Known:
    riec = Organisation.objects.get(name="RIEC Rotterdam")
    shipping = Organisation.objects.get(name="Noordstroom Lijndienst B.V.")
    harbour = Organisation.objects.get(name="Divisie Havenmeester Rotterdam")
    limit = min(scale, 3000)
    planted = Q(object__planted__seed=seed)
    fields = ("object_id", "object__planted__entity_key", "property", "scheme", "value")

    company_keys = [f"company-{i}" for i in range(limit)]
    companies = _by_object(Piece.objects.filter(
        planted, organisation=riec, object__kind=ObjectKind.COMPANY,
        object__planted__entity_key__in=company_keys).values_list(*fields))
    by_entity = {c["entity"]: c for c in companies.values() if "kvk" in c and "name" in c}

    container_ids = list(Piece.objects.filter(
        planted, organisation=shipping, object__kind=ObjectKind.CONTAINER,
        property=Property.IDENTIFIER).order_by("object_id")
        .values_list("object_id", flat=True)[:2 * limit])
    containers = _by_object(Piece.objects.filter(
        object_id__in=container_ids, organisation=shipping).exclude(
        property=Property.RELATION).values_list(*fields))
    consignee_of = dict(Piece.objects.filter(
        organisation=shipping, property=Property.RELATION, relation=RelationType.CONSIGNEE_OF,
        target_id__in=list(containers)).values_list("target_id", "object__planted__entity_key"))
    bookings = []
    for object_id, record in sorted(containers.items()):
        consignee = by_entity.get(consignee_of.get(object_id, ""))
        if consignee is None or "container" not in record:
            continue
        bookings.append({**record, "consignee": consignee})

    vessels = _by_object(Piece.objects.filter(
        planted, organisation=harbour, object__kind=ObjectKind.VESSEL).values_list(*fields))
    persons = _by_object(Piece.objects.filter(
        planted, organisation=riec, object__kind=ObjectKind.PERSON,
        object__planted__entity_key__in=[f"person-{i}" for i in range(limit)],
    ).values_list(*fields))

    at_address: dict[str, list[dict]] = defaultdict(list)
    for company in by_entity.values():
        if "postcode" in company and "house_number" in company:
            at_address[f"{company['postcode']} {company['house_number']}"].append(company)
    flex = [c for group in at_address.values() if len(group) >= 3 for c in group]

    def ordered(records) -> list[dict]:
        return sorted(records, key=lambda r: int(r["entity"].rsplit("-", 1)[-1]))

    companies_list = ordered(by_entity.values())
    return Known(
        companies=companies_list,
        bookings=sorted(bookings, key=lambda b: b["container"]),
        vessels=ordered(v for v in vessels.values() if "imo" in v),
        persons=ordered(p for p in persons.values() if "name" in p),
        flex=ordered(flex),
        transport=[c for c in companies_list if str(c.get("sbi", "")).startswith("4941")],
    )


# --- casting objects for a signal ------------------------------------------------------------

_PLATE_LETTERS = "BDFGHJKLNPRSTVXZ"


def _shown(container: str) -> str:
    """A container number as people write it: ``HBLU 240517 3``."""
    number = container.replace(" ", "").upper()
    return f"{number[:4]} {number[4:10]} {number[10:]}"


class Cast:
    """Fills a signal's objects and the context of its texts from the known world, adding new
    vehicles, persons, containers and bank accounts."""

    def __init__(self, rng: random.Random, known: Known) -> None:
        self.rng = rng
        self.known = known
        self.plates: set[str] = set()
        self.containers: set[str] = {DEMO_CONTAINER_FOR_TERMINAL}

    # New objects.
    def plate(self) -> str:
        rng, letters = self.rng, _PLATE_LETTERS
        while True:
            form = rng.randrange(3)
            if form == 0:  # Dutch plate patterns (sidecodes 8 to 10); vans start with V
                plate = (f"{rng.randrange(1, 10)}-{''.join(rng.choices(letters, k=3))}-"
                         f"{rng.randrange(10, 100)}")
            elif form == 1:
                plate = (f"{''.join(rng.choices(letters, k=2))}-{rng.randrange(100, 1000)}-"
                         f"{rng.choice(letters)}")
            else:
                plate = f"V{rng.choice(letters)}-{rng.randrange(100, 1000)}-{rng.choice(letters)}"
            if plate not in self.plates:
                self.plates.add(plate)
                return plate

    def new_container(self) -> str:
        while True:
            serial = f"{self.rng.choice(vocab.CONTAINER_OWNERS)}{self.rng.randrange(10**6):06d}"
            number = serial + iso6346.calc_check_digit(serial)
            if number not in self.containers:
                self.containers.add(number)
                return number

    def iban(self) -> str:
        bban = f"DEMO{self.rng.randrange(10**10):010d}"
        return f"NL{iban.calc_check_digits('NL00' + bban)}{bban}"

    def person(self, young: bool) -> tuple[str, str, str]:
        rng = self.rng
        born = dt.date(rng.randrange(1997, 2007) if young else rng.randrange(1962, 1996),
                       rng.randrange(1, 13), rng.randrange(1, 29))
        return rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES), born.isoformat()

    # Objects as a reporter enters them.
    def company_entry(self, company: dict, *, address: bool = False, kvk: bool = True
                      ) -> intake.ObjectEntry:
        name = company["name"]
        if self.rng.random() < 0.3:
            name = name.upper() if self.rng.random() < 0.5 else name.replace(" B.V.", " BV")
        extra = {}
        if address and "postcode" in company:
            extra = {"street": company.get("street", ""),
                     "house_number": company.get("house_number", ""),
                     "postcode": company["postcode"], "city": company.get("city", "")}
        return intake.ObjectEntry(kind=ObjectKind.COMPANY, name=name,
                                  identifiers=(("kvk", company["kvk"]),) if kvk else (), **extra)

    def address_entry(self, company: dict) -> intake.ObjectEntry:
        return intake.ObjectEntry(kind=ObjectKind.ADDRESS, street=company.get("street", ""),
                                  house_number=company.get("house_number", ""),
                                  postcode=company.get("postcode", ""),
                                  city=company.get("city", ""))

    def container_entry(self, number: str, cargo: str = "") -> intake.ObjectEntry:
        shown = number if self.rng.random() < 0.5 else _shown(number)
        return intake.ObjectEntry(kind=ObjectKind.CONTAINER,
                                  identifiers=(("container", shown),), note=cargo)

    def vessel_entry(self, vessel: dict) -> intake.ObjectEntry:
        return intake.ObjectEntry(kind=ObjectKind.VESSEL, name=vessel.get("name", ""),
                                  identifiers=(("imo", vessel["imo"]),))

    def vehicle_entry(self, plate: str, note: str = "") -> intake.ObjectEntry:
        return intake.ObjectEntry(kind=ObjectKind.VEHICLE, registration=plate, note=note)

    def person_entry(self, first: str, last: str, born: str) -> intake.ObjectEntry:
        return intake.ObjectEntry(kind=ObjectKind.PERSON, first_name=first, last_name=last,
                                  birth_date=born)

    def cast(self, recipes: tuple[str, ...]) -> tuple[list[intake.ObjectEntry], dict]:
        rng, known = self.rng, self.known
        hour = f"{rng.choice((0, 1, 2, 3, 4, 5, 22, 23)):02d}:{rng.randrange(60):02d}"
        amount = f"{rng.randrange(12, 480) * 1000:,}".replace(",", ".")
        ctx: dict = {"hour": hour, "n": rng.randrange(2, 7),
                     "stack": f"{rng.choice('ABCDEFGH')}{rng.randrange(1, 40)}",
                     "amount": amount, "cargo": rng.choice(vocab.CARGO),
                     "origin": rng.choice(vocab.FOREIGN_SHIPPERS)[1], "container": "",
                     "company": "", "vessel": "", "plate": ""}
        entries: list[intake.ObjectEntry] = []
        for recipe in recipes:
            if recipe == "booking" and known.bookings:
                booking = rng.choice(known.bookings)
                ctx.update(container=_shown(booking["container"]),
                           cargo=booking.get("cargo", ctx["cargo"]),
                           origin=booking.get("origin", ctx["origin"]),
                           company=booking["consignee"]["name"])
                entries += [self.container_entry(booking["container"]),
                            self.company_entry(booking["consignee"], kvk=rng.random() < 0.7)]
            elif recipe in ("booking", "container"):
                if known.bookings and rng.random() < 0.7:
                    booking = rng.choice(known.bookings)
                    number = booking["container"]
                    ctx.update(cargo=booking.get("cargo", ctx["cargo"]),
                               origin=booking.get("origin", ctx["origin"]))
                else:
                    number = self.new_container()
                ctx["container"] = _shown(number)
                entries.append(self.container_entry(number))
            elif recipe in ("company", "flex_company", "transport_company"):
                pool = {"company": known.companies, "flex_company": known.flex or known.companies,
                        "transport_company": known.transport or known.companies}[recipe]
                if not pool:
                    continue
                company = rng.choice(pool)
                ctx["company"] = company["name"]
                ctx["_company"] = company
                entries.append(self.company_entry(company, address=recipe == "flex_company"))
            elif recipe == "address" and "_company" in ctx:
                entries.append(self.address_entry(ctx["_company"]))
            elif recipe == "director" and known.persons:
                person = rng.choice(known.persons)
                entries.append(intake.ObjectEntry(kind=ObjectKind.PERSON, name=person["name"],
                                                  birth_date=person.get("birth_date", "")))
            elif recipe == "vessel" and known.vessels:
                vessel = rng.choice(known.vessels)
                ctx["vessel"] = vessel.get("name", vessel["imo"])
                entries.append(self.vessel_entry(vessel))
            elif recipe == "vehicle":
                ctx["plate"] = self.plate()
                entries.append(self.vehicle_entry(ctx["plate"]))
            elif recipe in ("person", "young_person"):
                entries.append(self.person_entry(*self.person(recipe == "young_person")))
            elif recipe == "iban":
                entries.append(intake.ObjectEntry(kind=ObjectKind.BANK_ACCOUNT,
                                                  identifiers=(("iban", self.iban()),)))
        ctx.pop("_company", None)
        for key in ("container", "company", "vessel", "plate"):
            ctx[key] = ctx[key] or {"container": "een container", "company": "het bedrijf",
                                    "vessel": "een koopvaardijschip",
                                    "plate": "onbekend"}[key]
        return entries, ctx


# --- planning -------------------------------------------------------------------------------

@dataclass
class Planned:
    label: str
    reporter: str
    email: str
    theme: str
    port: str  # port name
    area: str  # port area name, or ""
    observed_at: dt.datetime
    title: str
    description: str
    objects: tuple[intake.ObjectEntry, ...]
    distribution: str
    pseudonymous: bool = False
    cluster: str = ""
    triage: str = ""  # forced outcome: new, in_progress, linked, closed
    analysis: str = ""  # the analysis a planted cluster's signals are linked to


def _distribution(rng: random.Random, reporter: Reporter, key: str) -> str:
    if reporter.private:
        return Distribution.ALL if rng.random() < 0.55 else Distribution.CONVENANT
    if key == "harbour":
        return Distribution.ALL if rng.random() < 0.6 else Distribution.CONVENANT
    return Distribution.CONVENANT if rng.random() < 0.85 else Distribution.ALL


def _area(rng: random.Random, reporter: Reporter, port: str, areas: dict[str, set[str]]) -> str:
    wanted = [a for a in reporter.areas if a in areas.get(port, set())]
    if wanted:
        return rng.choice(wanted)
    return rng.choice(sorted(areas[port])) if areas.get(port) and rng.random() < 0.5 else ""


def _observed(now: dt.datetime, days: float, rng: random.Random) -> dt.datetime:
    moment = timezone.localtime(now - dt.timedelta(days=days))  # night and day in Dutch time
    night = rng.random() < 0.6
    hour = rng.choice((0, 1, 2, 3, 4, 22, 23)) if night else rng.randrange(7, 19)
    moment = moment.replace(hour=hour, minute=rng.randrange(60))
    return min(moment, now - dt.timedelta(hours=2))


def _plan_background(rng: random.Random, cast: Cast, count: int, now: dt.datetime,
                     areas: dict[str, set[str]], themes: list[str]) -> list[Planned]:
    ports = sorted(areas)  # every port of the first layer
    by_port = {port: [t for t in TEMPLATES if port in REPORTERS[t.reporter].ports]
               for port in ports}
    chosen: list[tuple[Template, str]] = []
    covered: set[str] = set()
    for port in ports:  # every port has signals
        options = by_port[port]
        fresh = [t for t in options if t.theme not in covered] or options
        template = rng.choice(fresh)
        covered.add(template.theme)
        chosen.append((template, port))
    for theme in themes:  # and every theme
        if theme not in covered:
            template = rng.choice([t for t in TEMPLATES if t.theme == theme])
            chosen.append((template, _port(rng, REPORTERS[template.reporter])))
            covered.add(theme)
    weights = [t.weight for t in TEMPLATES]
    while len(chosen) < count:
        template = rng.choices(TEMPLATES, weights=weights)[0]
        chosen.append((template, _port(rng, REPORTERS[template.reporter])))
    # Stratified over two years, a little denser lately, so every stretch has signals.
    span = 365 * YEARS - 1
    days = [span * ((i + rng.random()) / len(chosen)) ** 1.15 for i in range(len(chosen))]
    days[:2] = [rng.uniform(0.1, 1.0) for _ in days[:2]]  # a few arrived in the last days
    rng.shuffle(days)
    planned = []
    for n, ((template, port), ago) in enumerate(zip(chosen, days, strict=True)):
        reporter = REPORTERS[template.reporter]
        entries, ctx = cast.cast(template.objects)
        ctx["port"] = port
        which = rng.randrange(len(template.titles))
        title = template.titles[which]
        # Titles and descriptions go together when there are as many of each.
        description = (template.descriptions[which]
                       if len(template.descriptions) == len(template.titles)
                       else rng.choice(template.descriptions))
        private = reporter.private
        planned.append(Planned(
            label=f"{n:05d}", reporter=template.reporter, email=rng.choice(reporter.emails),
            theme=template.theme, port=port, area=_area(rng, reporter, port, areas),
            observed_at=_observed(now, ago, rng), title=title,
            description=_text(description, ctx),
            objects=tuple(entries), distribution=_distribution(rng, reporter, template.reporter),
            pseudonymous=private and rng.random() < (0.4 if template.reporter == "fishery"
                                                     else 0.2)))
    return planned


def _text(template: str, ctx: dict) -> str:
    # A name ending in a full stop ("… B.V.") at the end of a sentence takes no second one.
    return re.sub(r"\.\.(\s|$)", r".\1", template.format(**ctx))


def _port(rng: random.Random, reporter: Reporter) -> str:
    return rng.choices(reporter.ports, weights=[PORT_WEIGHT.get(p, 1) for p in reporter.ports])[0]


def _plan_clusters(rng: random.Random, cast: Cast, now: dt.datetime) -> list[Planned]:
    """The planted clusters (see ``CLUSTERS``)."""
    known = cast.known
    planned: list[Planned] = []

    def add(cluster: str, reporter: str, email: str, theme: str, port: str, area: str,
            days: int, title: str, description: str, objects: list, *, triage: str,
            analysis: str = "", distribution: str = Distribution.CONVENANT,
            pseudonymous: bool = False) -> None:
        n = sum(1 for p in planned if p.cluster == cluster)
        observed = _observed(now, days + rng.random(), rng)
        if analysis:  # one analysis per cluster, numbered in the year it started
            started = min([p.observed_at for p in planned if p.cluster == cluster] + [observed])
            analysis = f"IA-{min(started + dt.timedelta(days=21), now):%Y}-{analysis}"
        planned.append(Planned(
            label=f"cluster:{cluster}:{n}", reporter=reporter, email=email, theme=theme,
            port=port, area=area, observed_at=observed,
            title=title, description=description, objects=tuple(objects),
            distribution=distribution, pseudonymous=pseudonymous, cluster=cluster,
            triage=triage, analysis=analysis))

    tom, linda = "meldkamer@kaaiwacht-terminal.example", "security@kaaiwacht-terminal.example"
    guard, police = "meldkamer@poortwachters.example", "analist@zeehavenpolitie.example"

    # 1. Uithalers at the terminal: the same van, containers of the same consignee.
    consignees: dict[str, list[dict]] = defaultdict(list)
    for booking in known.bookings:
        consignees[booking["consignee"]["entity"]].append(booking)
    if consignees:
        entity = max(sorted(consignees), key=lambda k: len(consignees[k]))
        boxes = consignees[entity]
        company = boxes[0]["consignee"]
        van = cast.plate()

        def box(i: int) -> dict:
            return boxes[i % len(boxes)]

        c = "uithalers-maasvlakte"
        name = company["name"]
        add(c, "terminal", tom, "uithalers", "Rotterdam", "Maasvlakte 1", 215,
            "Bestelbus wacht 's nachts bij het hek bij de reefers",
            f"Een witte bestelbus ({van}) stond ruim een uur met gedoofde lichten bij het hek aan "
            f"de reefer-zijde. Die nacht stonden daar containers voor {name}, waaronder "
            f"{box(0)['container']}.",
            [cast.vehicle_entry(van, "witte bestelbus"), cast.container_entry(box(0)["container"]),
             cast.company_entry(company, kvk=True)], triage="linked", analysis="007",
            distribution=Distribution.ALL)
        young = [cast.person(True) for _ in range(2)]
        add(c, "terminal", linda, "uithalers", "Rotterdam", "Maasvlakte 1", 176,
            "Twee uithalers aangetroffen bij container van dezelfde ontvanger",
            f"Twee jonge mannen aangetroffen bij {box(1)['container']} (ontvanger {name}); de "
            f"deuren waren open. Bestelbus {van} stond weer bij het hek en reed weg.",
            [cast.container_entry(box(1)["container"]), cast.company_entry(company),
             cast.vehicle_entry(van)], triage="linked", analysis="007")
        add(c, "police_rotterdam", police, "uithalers", "Rotterdam", "Maasvlakte 1", 176,
            "Aanhouding twee uithalers Maasvlakte (art. 138aa Sr)",
            f"Na melding van de terminalbeveiliging twee verdachten aangehouden bij "
            f"{box(1)['container']}. Zij zouden zijn gebracht met bestelbus {van}; de bus is "
            f"op naam van een leasebedrijf.",
            [cast.person_entry(*young[0]), cast.person_entry(*young[1]),
             cast.vehicle_entry(van), cast.container_entry(box(1)["container"]),
             cast.company_entry(company, kvk=True)], triage="linked", analysis="007")
        add(c, "terminal", tom, "uithalers", "Rotterdam", "Maasvlakte 1", 64,
            "Bestelbus opnieuw bij het hek; container geopend aangetroffen",
            f"Bestelbus {van} opnieuw gezien bij het hek. Bij de ronde bleek container "
            f"{box(2)['container']} van {name} geopend; er ontbrak niets zichtbaars.",
            [cast.vehicle_entry(van), cast.container_entry(box(2)["container"]),
             cast.company_entry(company)], triage="in_progress", distribution=Distribution.ALL)

    # 2. The same malafide company at a flex office, from four partners.
    pool = known.flex or known.companies
    if pool:
        consignee_entities = {b["consignee"]["entity"] for b in known.bookings}
        company = next((co for co in pool if co["entity"] in consignee_entities), pool[0])
        name = company["name"]
        address = (f"{company.get('street', '')} {company.get('house_number', '')}, "
                   f"{company.get('city', '')}")
        booking = next((b for b in known.bookings if b["consignee"]["entity"]
                        == company["entity"]), None)
        c = "malafide-flexadres"
        add(c, "municipality_rotterdam", "toezicht@gemeente-rotterdam.example", "malafide",
            "Rotterdam", "Waalhaven", 330, "Integrale controle: leeg pand, veel inschrijvingen",
            f"Bij de integrale controle op {address} bleek het pand een flexkantoor zonder "
            f"activiteit. {name} staat er ingeschreven met veel andere bedrijven.",
            [cast.company_entry(company, address=True), cast.address_entry(company)],
            triage="linked", analysis="012")
        add(c, "tax", "signalen@fiod.example", "malafide", "Rotterdam", "", 262,
            "Geen personeel, contante omzet, betalingen naar het buitenland",
            f"{name} heeft geen personeel, stort contant geld en boekt het direct door naar "
            f"het buitenland. Bestuurder wisselde twee keer in een jaar.",
            [cast.company_entry(company),
             intake.ObjectEntry(kind=ObjectKind.BANK_ACCOUNT,
                                identifiers=(("iban", cast.iban()),))],
            triage="linked", analysis="012")
        objects = [cast.company_entry(company)]
        if booking is not None:
            objects.append(cast.container_entry(booking["container"]))
        add(c, "shipping", "security@noordstroom-lijndienst.example", "malafide", "Rotterdam", "",
            205, "Ontvanger wisselt steeds van expediteur; vracht door derde betaald",
            f"Boekingen voor {name} gaan in korte tijd via vier expediteurs; de vracht wordt "
            f"door een derde betaald en de ontvanger wil lossen bij een loods.", objects,
            triage="linked", analysis="012", distribution=Distribution.ALL)
        add(c, "municipality_vlissingen", "toezicht@gemeente-vlissingen.example", "malafide",
            "Vlissingen", "Vlissingen-Oost / Sloegebied", 96,
            "Bedrijf uit Rotterdam vraagt vestiging in het Sloegebied",
            f"{name}, ingeschreven op een flexadres in Rotterdam, vraagt een vergunning voor "
            f"een loods in het Sloegebied. Voorgeschiedenis onbekend.",
            [cast.company_entry(company)], triage="in_progress")

    # 3. Fishers report the same merchant vessel meeting small boats at sea.
    if known.vessels:
        vessel = known.vessels[0]
        ship = vessel.get("name", vessel["imo"])
        fisher = "melding@wadkust-visserij.example"
        c = "visserij-ontmoetingen"
        add(c, "fishery", fisher, "drugs", "Lauwersoog", "", 410,
            "Koopvaardijschip stopt op zee; snelle boot langszij",
            f"Ten noorden van Schiermonnikoog lag {ship} stil buiten de vaarroute. Een snelle "
            f"boot zonder AIS ging langszij en voer daarna richting de Eems.",
            [cast.vessel_entry(vessel)], triage="linked", analysis="063",
            distribution=Distribution.ALL)
        add(c, "fishery", fisher, "drugs", "Harlingen", "", 338,
            "Pakketten overboord gezet bij hetzelfde schip",
            f"We zagen vanaf de kotter hoe bij {ship} iets overboord ging op een plek waar "
            f"later een rubberboot zocht.",
            [cast.vessel_entry(vessel)], triage="linked", analysis="063",
            distribution=Distribution.ALL, pseudonymous=True)
        add(c, "fishery", fisher, "mensensmokkel", "Lauwersoog", "", 251,
            "Zelfde schip; personen overgezet in rubberboot",
            f"Bij {ship} werden drie personen in een rubberboot overgezet.",
            [cast.vessel_entry(vessel)], triage="linked", analysis="063",
            pseudonymous=True)
        add(c, "police_noord", "analist@politie-noord.example", "drugs", "Eemshaven",
            "Julianahaven", 244, "Bemanning onderhoudt contact met kleine boot",
            f"{ship} ligt in de Eemshaven; bemanningsleden hebben 's nachts contact met een "
            f"kleine boot aan de buitenzijde.", [cast.vessel_entry(vessel)], triage="in_progress")

    # 4. An insider named by the terminal, the security company and the police.
    first, last, born = cast.person(False)
    car = cast.plate()
    c = "insider-terminals"
    add(c, "terminal", linda, "insiders", "Rotterdam", "Maasvlakte 1", 158,
        "Planner raadpleegt containergegevens buiten zijn taak",
        f"Planner {first} {last} vroeg in twee weken ruim veertig containers op die niet bij "
        f"zijn werk horen. Zijn auto ({car}) stond 's nachts op het terrein terwijl hij niet "
        f"was ingeroosterd.",
        [cast.person_entry(first, last, born), cast.vehicle_entry(car)], triage="linked",
        analysis="021")
    add(c, "security", guard, "insiders", "Moerdijk", "Haven Moerdijk", 104,
        "Zelfde persoon met pas van een collega bij de poort",
        f"Bij de poort werd de pas van een collega gebruikt door {first} {last}; hij kwam in "
        f"auto {car}. Hij werkt via een uitzendbureau ook in Rotterdam.",
        [cast.person_entry(first, last, born), cast.vehicle_entry(car)], triage="linked",
        analysis="021", pseudonymous=True)
    add(c, "police_rotterdam", police, "insiders", "Rotterdam", "Maasvlakte 1", 41,
        "Informatie: medewerker geeft containernummers door",
        f"Informatie dat {first} {last} tegen betaling containernummers doorgeeft via een "
        f"versleutelde telefoon; hij rijdt in {car}.",
        [cast.person_entry(first, last, born), cast.vehicle_entry(car)], triage="in_progress")
    return planned


# --- triage --------------------------------------------------------------------------------

MESSAGES = {
    Status.IN_PROGRESS: ("Je melding is in behandeling. Dank je wel.",
                         "We bekijken je melding en komen erop terug.", ""),
    Status.LINKED: ("Je melding is opgenomen in een lopende integrale analyse. Dank — dit helpt.",
                    "Gekoppeld aan een analyse; we houden je op de hoogte van wat we kunnen "
                    "delen."),
}
CLOSING = {
    CloseReason.NO_FOLLOW_UP: "Bekeken; op dit moment geen aanleiding voor opvolging. Meld het "
                              "gerust opnieuw als je meer ziet.",
    CloseReason.FORWARDED: "Doorgezet naar de partner die hierover gaat; zij pakken het op.",
    CloseReason.IN_ANALYSIS: "Meegenomen in een analyse. Dank voor je melding.",
    CloseReason.DUPLICATE: "Dit was al bij ons gemeld; we hebben je informatie toegevoegd.",
    CloseReason.INSUFFICIENT: "Te weinig gegevens om mee verder te gaan. Heb je een kenteken of "
                              "containernummer, meld het dan opnieuw.",
}
FEEDBACK = (
    "Dank voor je melding. Je informatie sluit aan bij wat we al wisten.",
    "Je melding heeft geholpen bij een controle; meer kunnen we nu niet delen.",
    "Goed dat je dit meldde. Let de komende weken extra op dit soort situaties.",
    "We hebben je melding besproken in het havenoverleg.",
)
COMMENTS = (
    "Past in het beeld van de afgelopen maanden; koppelen aan de lopende analyse.",
    "Navragen bij Douane of er een selectie liep.",
    "Kenteken nagetrokken; op naam van een leasebedrijf.",
    "Bespreken in het weekoverleg.",
)


def _outcome(rng: random.Random, age_days: float) -> str:
    if age_days < 3:
        return Status.NEW
    if age_days < 14:
        return Status.NEW if rng.random() < 0.6 else Status.IN_PROGRESS
    if age_days < 45:
        return rng.choices((Status.NEW, Status.IN_PROGRESS, Status.LINKED, Status.CLOSED),
                           weights=(30, 40, 12, 18))[0]
    return rng.choices((Status.NEW, Status.IN_PROGRESS, Status.LINKED, Status.CLOSED),
                       weights=(5, 10, 30, 55))[0]


def _triage(rng: random.Random, signal: Signal, plan: Planned, users: dict[str, User],
            region: str, now: dt.datetime) -> list[tuple[SignalEvent, dt.datetime]]:
    received = signal.received_at
    outcome = plan.triage or _outcome(rng, (now - received).total_seconds() / 86400)
    if outcome == Status.NEW:
        return []
    candidates = [e for e in TRIAGERS.get(region, TRIAGERS["rotterdam"])
                  if e != plan.email] or list(TRIAGERS["rotterdam"])
    analyst = users[rng.choice(candidates)]
    latest = now - dt.timedelta(minutes=5)

    def later(start: dt.datetime, low: float, high: float) -> dt.datetime:
        return min(start + dt.timedelta(hours=rng.uniform(low, high)), latest)

    steps: list[tuple[SignalEvent, dt.datetime]] = []
    at = later(received, 2, 96)
    steps.append((triage.change_status(actor=analyst, signal=signal, status=Status.IN_PROGRESS,
                                       message=rng.choice(MESSAGES[Status.IN_PROGRESS])), at))
    if rng.random() < 0.35:
        at = later(at, 1, 72)
        steps.append((triage.comment(actor=analyst, signal=signal, text=rng.choice(COMMENTS)),
                      at))
    if outcome == Status.IN_PROGRESS:
        if rng.random() < 0.3:
            at = later(at, 24, 24 * 14)
            steps.append((triage.give_feedback(actor=analyst, signal=signal,
                                               text=rng.choice(FEEDBACK)), at))
        return steps
    at = later(at, 24, 24 * 40)
    if outcome == Status.LINKED:
        low, high = ANALYSES.get(region, ANALYSES["rotterdam"])
        analysis = plan.analysis or f"IA-{at.year}-{rng.randrange(low, high):03d}"
        steps.append((triage.change_status(
            actor=analyst, signal=signal, status=Status.LINKED, analysis=analysis,
            message=rng.choice(MESSAGES[Status.LINKED])), at))
    else:
        reason = rng.choices(list(CLOSING), weights=(30, 25, 15, 15, 15))[0]
        steps.append((triage.change_status(actor=analyst, signal=signal, status=Status.CLOSED,
                                           reason=reason, message=CLOSING[reason]), at))
    if rng.random() < 0.4:
        at = later(at, 24, 24 * 30)
        steps.append((triage.give_feedback(actor=analyst, signal=signal,
                                           text=rng.choice(FEEDBACK)), at))
    return steps


# --- building ------------------------------------------------------------------------------

def is_built(seed: int) -> bool:
    return Signal.objects.filter(idempotency_key__contains=":" + KEY.format(seed=seed)).exists()


def planted_clusters(seed: int) -> dict[str, list[Signal]]:
    """The planted clusters of related signals of ``seed``, oldest first."""
    marker = ":" + KEY.format(seed=seed) + "cluster:"
    clusters: dict[str, list[Signal]] = defaultdict(list)
    for signal in Signal.objects.filter(idempotency_key__contains=marker).order_by("observed_at"):
        name = signal.idempotency_key.split(marker, 1)[1].rsplit(":", 1)[0]
        clusters[name].append(signal)
    return dict(clusters)


def counts() -> dict[str, int]:
    return {"objects": RegistryObject.objects.count(), "pieces": Piece.objects.count(),
            "signals": Signal.objects.count(), "correlations": Correlation.objects.count()}


def _accounts() -> dict[str, User]:
    for spec in ACCOUNTS:
        user = User.objects.filter(email__iexact=spec.email).first()
        if user is None:
            user = User(email=spec.email)
            user.set_unusable_password()
        user.full_name, user.role, user.function = spec.full_name, spec.role, spec.function
        user.organisation = Organisation.objects.get(name=spec.organisation)
        user.is_active = True
        user.save()
    emails = {e for r in REPORTERS.values() for e in r.emails} | {
        e for t in TRIAGERS.values() for e in t} | set(DONE_WHEN_USERS.values())
    return {u.email: u for u in User.objects.filter(email__in=emails)
            .select_related("organisation")}


def build(seed: int, scale: int) -> dict[str, int]:
    """Create the third layer once per seed (all or nothing). Returns counts."""
    if is_built(seed):
        return counts()
    from havenbeeld.signals.models import Theme

    with transaction.atomic(), notifications.without_email():
        users = _accounts()
        now = timezone.now()
        rng = random.Random(f"havenbeeld-signals-{seed}")
        cast = Cast(rng, _load(seed, scale))
        areas: dict[str, set[str]] = {}
        area_ids: dict[tuple[str, str], int] = {}
        ports = {p.name: p for p in Port.objects.all()}
        for area in PortArea.objects.select_related("port"):
            areas.setdefault(area.port.name, set())
            if area.kind == PortArea.Kind.AREA:
                areas[area.port.name].add(area.name)
            area_ids[(area.port.name, area.name)] = area.pk
        for name in ports:
            areas.setdefault(name, set())
        themes = list(Theme.objects.filter(active=True).values_list("code", flat=True))
        count = max(MIN_BACKGROUND, min(scale, MAX_BACKGROUND))
        planned = _plan_clusters(rng, cast, now) + _plan_background(
            rng, cast, count, now, areas, themes)
        planned.sort(key=lambda p: p.observed_at)
        _submit_all(seed, rng, planned, users, ports, area_ids, now)
        _done_when(users, now)
    return counts()


def _submit_all(seed: int, rng: random.Random, planned: list[Planned], users: dict[str, User],
                ports: dict[str, Port], area_ids: dict[tuple[str, str], int],
                now: dt.datetime) -> None:
    dated: list[Signal] = []
    event_times: dict[int, dt.datetime] = {}
    for plan in planned:
        actor = users[plan.email]
        port = ports[plan.port]
        submission = intake.submit(
            actor=actor, channel=SignalChannel.WEB if rng.random() < 0.85 else SignalChannel.API,
            idempotency_key=KEY.format(seed=seed) + plan.label,
            data=intake.SignalInput(
                theme=plan.theme, port=port.slug, title=plan.title,
                description=plan.description, observed_at=plan.observed_at,
                area_id=area_ids.get((plan.port, plan.area)), distribution=plan.distribution,
                legal_basis=REPORTERS[plan.reporter].legal_basis,
                pseudonymous=plan.pseudonymous, objects=plan.objects))
        signal = submission.signal
        received = min(plan.observed_at + dt.timedelta(minutes=rng.uniform(10, 60 * 30)),
                       now - dt.timedelta(minutes=30))
        signal.received_at = received
        signal.reference = f"S-{received:%Y}-{signal.pk:06d}"
        Signal.objects.filter(pk=signal.pk).update(received_at=received,
                                                   reference=signal.reference)
        for event in signal.events.all():
            event_times[event.pk] = received
        for event, at in _triage(rng, signal, plan, users, port.riec_region, now):
            event_times[event.pk] = at
        dated.append(signal)
    _date_back(dated, event_times, now)


def _set(model, values: dict[int, tuple], fields: tuple[str, ...]) -> None:
    """Update rows to their values, one query per distinct value (cheaper than a bulk update's
    CASE over thousands of rows)."""
    by_value: dict[tuple, list[int]] = defaultdict(list)
    for pk, value in values.items():
        by_value[value].append(pk)
    for value, pks in by_value.items():
        for start in range(0, len(pks), 500):
            model.objects.filter(pk__in=pks[start:start + 500]).update(
                **dict(zip(fields, value, strict=True)))


def _date_back(signals: list[Signal], event_times: dict[int, dt.datetime],
               now: dt.datetime) -> None:
    """Move what the pipeline stamped with the build's time to when it happened."""
    received = {s.pk: s.received_at for s in signals}
    _set(SignalEvent, {pk: (at,) for pk, at in event_times.items()}, ("at",))

    last_status: dict[int, dt.datetime] = {}
    by_signal: dict[int, dict[str, list[dt.datetime]]] = defaultdict(lambda: defaultdict(list))
    events = SignalEvent.objects.filter(pk__in=list(event_times)).order_by("at", "pk")
    for signal_id, kind, at in events.values_list("signal_id", "kind", "at"):
        if kind == EventKind.STATUS:
            last_status[signal_id] = at
            by_signal[signal_id][Notification.Kind.STATUS].append(at)
        elif kind == EventKind.FEEDBACK:
            by_signal[signal_id][Notification.Kind.FEEDBACK].append(at)
    _set(Signal, {pk: (last_status.get(pk, at),) for pk, at in received.items()},
         ("status_changed_at",))

    recent = now - dt.timedelta(days=14)
    sent = Notification.objects.filter(signal_id__in=list(received)).order_by("pk")
    taken: dict[tuple[int, str], int] = defaultdict(int)
    dated: dict[int, tuple] = {}
    for pk, signal_id, kind in sent.values_list("pk", "signal_id", "kind"):
        times = by_signal[signal_id].get(kind, [])
        index = taken[(signal_id, kind)]
        taken[(signal_id, kind)] += 1
        created = times[min(index, len(times) - 1)] if times else received[signal_id]
        dated[pk] = (created, created + dt.timedelta(hours=6) if created < recent else None)
    _set(Notification, dated, ("created_at", "read_at"))

    correlations = Correlation.objects.filter(signal_id__in=list(received))
    _set(Correlation, {pk: (max(received[signal_id], received.get(other, received[signal_id])),)
                       for pk, signal_id, other in correlations.values_list(
                           "pk", "signal_id", "other_signal_id")}, ("created_at",))


def _done_when(users: dict[str, User], now: dt.datetime) -> None:
    """Customs' piece on the container the demo terminal contributor will report."""
    from havenbeeld.resolution import services as resolution

    if Piece.objects.filter(property=Property.IDENTIFIER, scheme="container",
                            value_normalised=DEMO_CONTAINER_FOR_TERMINAL).exists():
        return
    customs = users[DONE_WHEN_USERS["customs"]]
    provenance = Provenance(
        Source.MANUAL, Distribution.CONVENANT, LegalBasis.objects.get(code="awr-douane"),
        observed_at=now - dt.timedelta(days=3, hours=5), reliability=SourceReliability.A,
        credibility=Credibility.PERSONALLY_KNOWN)
    container = create_object(actor=customs, kind=ObjectKind.CONTAINER, provenance=provenance,
                              facts=[
        Fact(Property.IDENTIFIER, DEMO_CONTAINER_DISPLAY, scheme="container"),
        Fact(Property.CONTAINER_TYPE, "40ft reefer (45R1)"),
        Fact(Property.CARGO, "bananen"), Fact(Property.ORIGIN, "Guayaquil"),
        Fact(Property.NOTE, "Risicoselectie: vrachtdocumenten gewijzigd na vertrek, koelmotor "
                            "eerder vervangen; geselecteerd voor scan bij aankomst (fictief)."),
    ])
    # Matched now rather than when the build commits, so the first report links at once.
    resolution.intake([container.pk])
    # The consignee as Customs knows it: one of its own importer records, if any.
    importer = (Piece.objects.filter(organisation=customs.organisation,
                                     object__kind=ObjectKind.COMPANY, property=Property.NAME,
                                     distribution=Distribution.CONVENANT)
                .order_by("object_id").first())
    if importer is not None:
        record_pieces(actor=customs, obj=importer.object, provenance=provenance, facts=[
            Fact(Property.RELATION, DEMO_CONTAINER_DISPLAY, relation=RelationType.CONSIGNEE_OF,
                 target=container)])


