"""The Dutch seaports, their areas and main terminals (public facts, ../shared/domain.md §2).

Coordinates are approximate centroids for map pins (±1–3 km); only Eemshaven was checked
against a published coordinate. Terminal pins are placed near their area's centroid.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AreaSpec:
    name: str
    lat: float
    lon: float
    description: str = ""
    terminals: tuple[tuple[str, str], ...] = ()  # (name, description)


@dataclass(frozen=True)
class PortSpec:
    name: str
    province: str
    riec: str
    lat: float
    lon: float
    authority: str
    areas: tuple[AreaSpec, ...] = field(default_factory=tuple)


PORTS: tuple[PortSpec, ...] = (
    PortSpec("Rotterdam", "Zuid-Holland", "rotterdam", 51.93, 4.20,
             "Havenbedrijf Rotterdam N.V. · Divisie Havenmeester Rotterdam", (
        AreaSpec("Maasvlakte 1", 51.955, 4.04, "Deep-sea container terminals and empty depots", (
            ("ECT Delta", "Hutchison Ports, opened 1985"),
            ("Euromax", "ECT, Yangtzehaven"),
            ("Hutchison Ports Delta II", "Former second APM Terminals site"),
        )),
        AreaSpec("Maasvlakte 2", 51.965, 3.99, "Automated container terminals", (
            ("APM Terminals Maasvlakte II", "Opened April 2015"),
            ("Rotterdam World Gateway", "Opened September 2015"),
        )),
        AreaSpec("Europoort", 51.95, 4.13, "Bulk, oil, ro-ro and ferries"),
        AreaSpec("Botlek", 51.88, 4.29, "Chemicals, tank storage, break bulk"),
        AreaSpec("Pernis", 51.885, 4.385, "Refining and tank storage"),
        AreaSpec("Eemhaven", 51.885, 4.43, "Short-sea and feeder terminals, container depots", (
            ("Rotterdam Shortsea Terminals", "Short-sea and feeder terminal"),
            ("Uniport", "Multipurpose terminal"),
        )),
        AreaSpec("Waalhaven", 51.89, 4.45,
                 "Older city port: transport and logistics firms, many small companies"),
        AreaSpec("Merwe-/Vierhavens", 51.905, 4.43, "Fruit wharf and cold stores", (
            ("Rotterdam Fruit Wharf", "Fruit terminal"),
        )),
    )),
    PortSpec("Amsterdam", "Noord-Holland", "amsterdam-amstelland", 52.41, 4.80,
             "Havenbedrijf Amsterdam N.V. · Havenmeester Amsterdam", (
        AreaSpec("Westpoort", 52.41, 4.80, "Bulk: cacao, petrol and oil products, coal"),
        AreaSpec("Westhaven", 52.415, 4.78, "Bulk and limited container handling"),
    )),
    PortSpec("IJmuiden", "Noord-Holland", "noord-holland", 52.46, 4.60,
             "North Sea Canal area (Havenmeester Amsterdam)", (
        AreaSpec("Vissershaven IJmuiden", 52.46, 4.60, "Fishing port and ferry"),
    )),
    PortSpec("Moerdijk", "Noord-Brabant", "zeeland-west-brabant", 51.69, 4.58,
             "Havenbedrijf Moerdijk N.V.", (
        AreaSpec("Haven Moerdijk", 51.69, 4.58, "Containers, chemicals, logistics", (
            ("Combined Cargo Terminals", "Container terminal"),
        )),
    )),
    PortSpec("Vlissingen", "Zeeland", "zeeland-west-brabant", 51.45, 3.68, "North Sea Port", (
        AreaSpec("Vlissingen-Oost / Sloegebied", 51.45, 3.68, "Fruit, reefer containers, bulk", (
            ("Lineage (Kloosterboer) fruit terminal", "Reefer container and fruit terminal"),
            ("Verbrugge Terminals", "Bulk and breakbulk"),
        )),
    )),
    PortSpec("Terneuzen", "Zeeland", "zeeland-west-brabant", 51.335, 3.82, "North Sea Port", (
        AreaSpec("Kanaalzone Terneuzen", 51.335, 3.82, "Chemicals and bulk along the canal"),
    )),
    PortSpec("Eemshaven", "Groningen", "noord", 53.448, 6.831, "Groningen Seaports", (
        AreaSpec("Julianahaven", 53.447, 6.825, "Deep-sea and bulk"),
        AreaSpec("Emmahaven", 53.448, 6.84, "Offshore wind and energy"),
        AreaSpec("Wilhelminahaven", 53.45, 6.85, "Bulk"),
        AreaSpec("Beatrixhaven", 53.444, 6.81, "Ferries and service vessels"),
    )),
    PortSpec("Delfzijl", "Groningen", "noord", 53.32, 6.93, "Groningen Seaports", (
        AreaSpec("Handelshaven Delfzijl", 53.32, 6.93, "Chemical industry cluster"),
    )),
    PortSpec("Harlingen", "Fryslân", "noord", 53.175, 5.41, "N.V. Port of Harlingen", (
        AreaSpec("Haven Harlingen", 53.175, 5.41, "Bulk, fishing, shipbuilding, ferries"),
    )),
    PortSpec("Den Helder", "Noord-Holland", "noord-holland", 52.96, 4.78,
             "N.V. Port of Den Helder", (
        AreaSpec("Haven Den Helder", 52.96, 4.78, "Offshore supply and fishing"),
    )),
    PortSpec("Lauwersoog", "Groningen", "noord", 53.41, 6.20,
             "Exploitatiemaatschappij Haven Lauwersoog", (
        AreaSpec("Vissershaven Lauwersoog", 53.41, 6.20, "Fishing port, fish auction, ferry"),
    )),
)
