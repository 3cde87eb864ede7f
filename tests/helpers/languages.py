"""Small news clusters in other languages and scripts, written for the tests: each is two or
three articles about one event that share some facts in different words, as outlets do."""

from __future__ import annotations

from summarizer import Article

# language code -> [(title, text)], one entry per article.
CLUSTERS: dict[str, list[tuple[str, str]]] = {
    "fr": [
        (
            "Conférence sur le climat reportée à Zürich",
            "Les délégués réunis à Zürich ont été évacués. "
            "Une alerte à la bombe avait été lancée samedi soir dans le centre des congrès. "
            "La conférence internationale sur le climat, prévue lundi, a été reportée de deux semaines. "
            "Plus de 3 000 délégués venus de 120 pays étaient attendus dans la ville suisse. "
            "La police municipale a précisé qu'aucun engin explosif n'avait été trouvé.",
        ),
        (
            "Alerte à la bombe : la conférence de Zürich repoussée",
            "Samedi soir, les délégués réunis à Zürich ont été évacués à cause d'une alerte à la bombe. "
            "Les organisateurs ont annoncé dimanche que la conférence sur le climat était reportée de deux semaines. "
            "Selon la police, aucun engin explosif n'a été découvert dans le centre des congrès. "
            "La nouvelle date a été fixée au 14 octobre.",
        ),
        (
            "Zürich reporte la conférence sur le climat",
            "La ville de Zürich a reporté la conférence internationale sur le climat au 14 octobre. "
            "L'alerte à la bombe de samedi s'est révélée fausse, a indiqué la police. "
            "Le maire a regretté un contretemps coûteux pour les 3 000 délégués.",
        ),
    ],
    "de": [
        (
            "Lokführer legen den Bahnverkehr lahm",
            "Die Gewerkschaft der Lokführer hat für Mittwoch einen bundesweiten Streik angekündigt. "
            "Der Ausstand soll um zwei Uhr morgens beginnen und 24 Stunden dauern. "
            "Die Deutsche Bahn rechnet mit massiven Ausfällen im Fern- und Regionalverkehr. "
            "Fahrgäste können ihre Tickets kostenlos umtauschen.",
        ),
        (
            "Bahnstreik am Mittwoch: Was Reisende wissen müssen",
            "Die Gewerkschaft der Lokführer hat ihre Mitglieder für Mittwoch zu einem bundesweiten Streik aufgerufen. "
            "Der Streik beginnt um zwei Uhr morgens und dauert 24 Stunden. "
            "Die Bahn will einen Notfahrplan anbieten, doch viele Züge werden ausfallen. "
            "Die Gewerkschaft fordert eine kürzere Arbeitszeit bei vollem Lohnausgleich.",
        ),
        (
            "Streik bei der Bahn",
            "Wegen des Streiks der Lokführer fallen am Mittwoch die meisten Fernzüge aus. "
            "Die Verhandlungen über eine kürzere Arbeitszeit waren am Montag gescheitert. "
            "Reisende sollten ihre Fahrt nach Möglichkeit verschieben, teilte die Bahn mit.",
        ),
    ],
    "es": [
        (
            "Inundaciones en Valencia",
            "Las lluvias torrenciales han provocado graves inundaciones en la provincia de Valencia. "
            "Los servicios de emergencia rescataron a más de 200 personas atrapadas en sus coches. "
            "La Agencia Estatal de Meteorología mantiene la alerta roja hasta el jueves. "
            "Las clases se han suspendido en 30 municipios.",
        ),
        (
            "Alerta roja en Valencia por las lluvias",
            "Los servicios de emergencia rescataron en Valencia a más de 200 personas atrapadas en sus vehículos. "
            "La Agencia Estatal de Meteorología ha prolongado la alerta roja hasta el jueves. "
            "El Gobierno ha enviado a la Unidad Militar de Emergencias para ayudar en las tareas de rescate. "
            "¿Cuándo volverá la normalidad? Nadie se atreve a dar una fecha.",
        ),
        (
            "Valencia, bajo el agua",
            "Las inundaciones han obligado a suspender las clases en 30 municipios valencianos. "
            "Los vecinos denuncian que la alerta llegó demasiado tarde a sus teléfonos móviles. "
            "El presidente regional pidió a la población que no salga de casa.",
        ),
    ],
    "ru": [
        (
            "Прорыв дамбы в Орске",
            "В городе Орске Оренбургской области прорвало дамбу на реке Урал. "
            "Власти эвакуировали более 4 000 жителей из затопленных районов. "
            "В регионе введён режим чрезвычайной ситуации федерального характера. "
            "Уровень воды в реке продолжает расти.",
        ),
        (
            "Наводнение в Оренбургской области",
            "Из затопленных районов Орска власти эвакуировали более 4 000 жителей. "
            "Дамбу на реке Урал прорвало в пятницу вечером, сообщили в администрации города. "
            "Спасатели доставляют жителям питьевую воду и лекарства. "
            "В области объявлен режим чрезвычайной ситуации федерального характера.",
        ),
        (
            "Орск уходит под воду",
            "Вода продолжает прибывать в жилые кварталы Орска после прорыва дамбы. "
            "Губернатор пообещал выплатить компенсации всем пострадавшим семьям. "
            "Синоптики ожидают, что пик паводка придётся на выходные.",
        ),
    ],
    "el": [
        (
            "Πυρκαγιά στην Αττική",
            "Μεγάλη πυρκαγιά ξέσπασε το απόγευμα της Κυριακής στα βόρεια της Αθήνας. "
            "Οι αρχές εκκένωσαν δώδεκα οικισμούς με μηνύματα στα κινητά τηλέφωνα. "
            "Περισσότεροι από 400 πυροσβέστες μάχονται με τις φλόγες. "
            "Οι ισχυροί άνεμοι δυσκολεύουν το έργο των εναέριων μέσων.",
        ),
        (
            "Εκκενώσεις οικισμών λόγω της φωτιάς",
            "Οι αρχές εκκένωσαν δώδεκα οικισμούς μετά την πυρκαγιά στα βόρεια της Αθήνας. "
            "Στην κατάσβεση συμμετέχουν περισσότεροι από 400 πυροσβέστες και δεκαπέντε αεροσκάφη. "
            "Πόσο θα διαρκέσει η μάχη με τις φλόγες; Κανείς δεν μπορεί να το πει ακόμη.",
        ),
        (
            "Η φωτιά πλησιάζει σπίτια",
            "Η πυρκαγιά στα βόρεια της Αθήνας έφτασε κοντά σε κατοικημένες περιοχές. "
            "Οι ισχυροί άνεμοι αναμένεται να εξασθενήσουν τη Δευτέρα, σύμφωνα με την ΕΜΥ. "
            "Ο υπουργός Πολιτικής Προστασίας ζήτησε από τους κατοίκους να ακολουθούν τις οδηγίες των αρχών.",
        ),
    ],
    "zh": [
        (
            "北京遭遇暴雨",
            "北京市今天遭遇今年以来最强降雨。气象部门发布了暴雨红色预警。全市中小学停课一天。部分地铁线路暂停运营。",
        ),
        (
            "暴雨红色预警",
            "气象部门今天发布暴雨红色预警，北京遭遇今年以来最强降雨。受暴雨影响，全市中小学停课一天。"
            "市政府呼吁市民减少外出。",
        ),
    ],
}
# The languages the issue names, and the scripts they stand for: Latin, Cyrillic, Greek.
ALPHABETIC = ("fr", "de", "es", "ru", "el")


def cluster_articles(language: str) -> list[Article]:
    return [
        Article(id=f"{language}-{i}", title=title, text=text) for i, (title, text) in enumerate(CLUSTERS[language], 1)
    ]


def cluster_request(language: str) -> dict:
    """The cluster as a POST /v1/briefings body."""
    return {
        "articles": [
            {"id": f"{language}-{i}", "title": t, "text": x} for i, (t, x) in enumerate(CLUSTERS[language], 1)
        ],
        "options": {"engine": "extractive"},
    }
