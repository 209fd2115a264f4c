"""Word lists for the fictitious companies, persons, vessels and containers of the demo world."""

from __future__ import annotations

COMPANY_PREFIXES = (
    "Kade", "Haven", "Delta", "Maas", "Noordzee", "Waal", "Eem", "Sloe", "Botlek", "Pier",
    "Anker", "Kraan", "Golf", "Boei", "Meeuw", "Zeewind", "Getij", "Dok", "Stuw", "Lading",
    "Kaap", "Rijn", "Schelde", "Wadden", "Lauwers", "Dollard", "Vlaak", "Polder", "Duin",
    "Kustlijn", "Zilvermeeuw", "Baken", "Fender", "Loods", "Bolder", "Tros", "Sluis", "Vaargeul",
)
COMPANY_CORES = (
    "Logistiek", "Transport", "Trading", "Import", "Export", "Handel", "Expeditie", "Cargo",
    "Shipping", "Fruit", "Koelopslag", "Containerservice", "Holding", "Bunkering", "Vastgoed",
    "Agri", "Foods", "Distributie", "Warehousing", "Forwarding", "Stuwadoors", "Consultancy",
    "Investments", "Reefer Services", "Internationaal",
)
FAMILY_FIRMS = (
    "Van Dijk", "De Boer", "Bakker", "Visser", "Smit", "Meijer", "De Graaf", "Mulder",
    "Bos", "Vos", "Peters", "Hendriks", "Dekker", "Brouwer", "Koster", "Prins", "Kuipers",
)
LEGAL_FORMS = ("B.V.",) * 8 + ("V.O.F.", "Holding B.V.", "N.V.")
LEGAL_FORM_VARIANTS = {
    "B.V.": ("B.V.", "BV", "b.v.", "B.V", "Besloten Vennootschap"),
    "V.O.F.": ("V.O.F.", "VOF", "v.o.f."),
    "Holding B.V.": ("Holding B.V.", "Holding BV", "Hldg B.V."),
    "N.V.": ("N.V.", "NV"),
}
SBI_CODES = (
    ("4941", "Goederenvervoer over de weg"), ("5210", "Opslag"),
    ("5229", "Expediteurs en overige dienstverlening voor vervoer"),
    ("4631", "Groothandel in groenten en fruit"), ("6420", "Financiële holdings"),
    ("7022", "Organisatie-adviesbureaus"), ("4690", "Niet-gespecialiseerde groothandel"),
    ("5222", "Dienstverlening voor vervoer over water"), ("4671", "Groothandel in brandstoffen"),
    ("6810", "Handel in eigen onroerend goed"),
)
FIRST_NAMES = (
    "Jan", "Pieter", "Kees", "Mohamed", "Ahmed", "Sanne", "Lisa", "Emma", "Daan", "Bram",
    "Youssef", "Fatima", "Noah", "Lucas", "Sem", "Tim", "Julia", "Anouk", "Mehmet", "Ayşe",
    "Dragan", "Jovana", "Kwame", "Priya", "Rui", "Stefan", "Marloes", "Wouter", "Ilse", "Gerrit",
    "Henk", "Ricardo", "Nadia", "Samir", "Tamara", "Dirk", "Bas", "Koen", "Eva", "Iris",
)
LAST_NAMES = (
    "de Vries", "Jansen", "van den Berg", "Bakker", "el Amrani", "Yılmaz", "Peters", "Visser",
    "van Leeuwen", "Kok", "de Wit", "Bouzid", "Martens", "Hoekstra", "Mulder", "Willems",
    "van der Linden", "Postma", "Kramer", "Dijkstra", "Öztürk", "Ramdin", "Boateng", "Novak",
    "Schouten", "Verhoeven", "Aksoy", "Smits", "de Jong", "van Beek",
)
STREETS = {
    "Rotterdam": (("Waalhaven Oostzijde", "3087"), ("Eemhavenweg", "3089"),
                  ("Sluisjesdijk", "3087"), ("Vierhavensstraat", "3029"),
                  ("Keileweg", "3029"), ("Marconistraat", "3029"), ("Brielselaan", "3081"),
                  ("Prins Johan Frisohaven", "3089"), ("Albert Plesmanweg", "3088")),
    "Vlissingen": (("Sloeweg", "4389"), ("Edisonweg", "4382"), ("Frankrijkweg", "4389")),
    "Moerdijk": (("Middenweg", "4782"), ("Oosterringdijk", "4782"), ("Appelweg", "4782")),
    "Delfzijl": (("Handelskade Oost", "9934"), ("Oterdumerweg", "9936")),
    "Harlingen": (("Industrieweg", "8861"), ("Willemskade", "8861")),
    "Amsterdam": (("Westhavenweg", "1042"), ("Ruijgoordweg", "1047")),
}
FOREIGN_SHIPPERS = (
    ("Exportadora Costa Verde S.A.", "Guayaquil", "EC"),
    ("Frutas del Pacífico S.A.", "Puerto Bolívar", "EC"),
    ("Bananera San Lorenzo S.A.", "Moín", "CR"),
    ("Agroexport Caribe Ltda.", "Turbo", "CO"),
    ("Cafés del Valle S.A.S.", "Cartagena", "CO"),
    ("Pulpas Tropicales S.A.C.", "Callao", "PE"),
    ("Madeiras do Norte Ltda.", "Santos", "BR"),
    ("Cacao Océano S.A.", "San Pedro", "CI"),
)
CARGO = ("bananen", "ananassen", "fruitpulp", "koffie", "cacao", "hout", "bevroren vis",
         "avocado's", "bloemen", "rijst")
CONTAINER_OWNERS = ("HBLU", "ZKDU", "NSLU", "PQXU", "WDKU", "VRTU")  # fictitious owner codes
CONTAINER_TYPES = ("40ft reefer (45R1)", "40ft high cube (45G1)", "20ft dry (22G1)")
VESSEL_PREFIXES = ("Noorder", "Zuider", "Ocean", "Atlantic", "Pacific", "Cape", "Nordic",
                   "Bay", "Star", "Sea")
VESSEL_SUFFIXES = ("Horizon", "Pioneer", "Spirit", "Trader", "Voyager", "Express", "Carrier",
                   "Navigator", "Breeze", "Harmony")
FLAGS = ("Nederland", "Liberia", "Panama", "Malta", "Marshalleilanden", "Portugal")
CUSTOMS_NOTES = (
    "Risicoselectie: afwijkend aangiftepatroon (fictief)",
    "Eerder geselecteerd voor scan; geen bevinding (fictief)",
    "Wisselende expediteurs in korte tijd (fictief)",
    "Lading niet passend bij SBI-activiteit (fictief)",
    "Betaling vrachtkosten door derde partij (fictief)",
)
