import gzip
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agents import imports
from agents.models import CentreCouts, Commune, DomaineFonctionnel, EnveloppeBudgetaire, Limitrophe
from tests.agents.factories import CommuneFactory, EnveloppeBudgetaireFactory

pytestmark = pytest.mark.django_db

ENTETE_COMMUNES = "insee,nom,departement,population,codes_postaux,lat,lon,arrondissement_de"
COMMUNES = [
    "13001,Aix-en-Provence,13,142482,13080;13090;13100;13290;13540,43.52645,5.44543,",
    "13002,Allauch,13,21207,13190,43.33722,5.48222,",
    "13055,Marseille,13,863310,13001;13002;13003,43.29760,5.36943,",
    "13201,Marseille 1er Arrondissement,13,39786,13001,43.29701,5.37901,13055",
    "2A004,Ajaccio,2A,70659,20000;20090,41.91886,8.73812,",
]
ENTETE_LIMITROPHES = "insee_a,insee_b,contact"
LIMITROPHES = ["13001,13002,point", "13002,13055,ligne"]


def ecrire(dossier, nom, entete, lignes):
    chemin = dossier / nom
    chemin.write_text("\n".join([entete, *lignes]) + "\n", encoding="utf-8")
    return chemin


def importer(tmp_path, communes=COMMUNES, limitrophes=LIMITROPHES, *, enregistrer=True, **entetes):
    return imports.importer_communes(
        ecrire(tmp_path, "communes.csv", entetes.get("entete_communes", ENTETE_COMMUNES), communes),
        ecrire(tmp_path, "limitrophes.csv", entetes.get("entete_limitrophes", ENTETE_LIMITROPHES), limitrophes),
        enregistrer=enregistrer,
    )


def importer_demo(*, enregistrer=True):
    return imports.importer_communes(
        imports.FICHIER_COMMUNES_DEMO, imports.FICHIER_LIMITROPHES_DEMO, enregistrer=enregistrer
    )


# --- Fichiers de démonstration ------------------------------------------------------------------------------------


def test_import_demo_complet():
    rapport = importer_demo()

    assert rapport.est_valide, rapport.texte()
    assert rapport.enregistre
    communes, paires = rapport.compteurs["communes"], rapport.compteurs["limitrophes"]
    assert (communes.lues, communes.creees, communes.modifiees, communes.inchangees) == (996, 996, 0, 0)
    assert (paires.lues, paires.creees, paires.modifiees, paires.inchangees) == (2655, 2655, 0, 0)
    assert Commune.objects.count() == 996
    assert Commune.objects.filter(arrondissement_de__isnull=False).count() == 16
    assert Limitrophe.objects.count() == 2655
    assert Limitrophe.objects.filter(contact="point").count() == 48
    assert not Limitrophe.objects.filter(desservie_transports_publics=False).exists()


def test_import_demo_donnees_lues_comme_du_texte():
    importer_demo()

    antibes = Commune.objects.get(insee="06004")
    assert antibes.nom == "Antibes"
    assert antibes.departement == "06"
    assert antibes.liste_codes_postaux == ["06160", "06600"]
    assert str(antibes.latitude) == "43.58065"
    assert antibes.population == 72999
    assert Commune.objects.get(insee="97209").departement == "972"


def test_import_demo_idempotent():
    importer_demo()
    rapport = importer_demo()

    communes, paires = rapport.compteurs["communes"], rapport.compteurs["limitrophes"]
    assert (communes.creees, communes.modifiees, communes.inchangees) == (0, 0, 996)
    assert (paires.creees, paires.modifiees, paires.inchangees) == (0, 0, 2655)
    assert Commune.objects.count() == 996
    assert Limitrophe.objects.count() == 2655


def test_arrondissements_de_marseille_rattaches_a_marseille():
    importer_demo()

    premier = Commune.objects.get(insee="13201")
    assert premier.arrondissement_de_id == "13055"
    assert premier.commune_de_rattachement.nom == "Marseille"
    assert Commune.objects.get(insee="13055").arrondissements.count() == 16


def test_reimport_conserve_le_drapeau_desservie():
    importer_demo()
    Limitrophe.objects.filter(commune_a="13002", commune_b="13055").update(desservie_transports_publics=False)

    importer_demo()

    assert not Limitrophe.objects.get(commune_a="13002", commune_b="13055").desservie_transports_publics
    assert Limitrophe.objects.filter(desservie_transports_publics=True).count() == 2654


def test_les_villes_de_convocation_s_ajoutent_a_l_academie_de_demonstration():
    importer_demo()
    rapport = imports.importer_communes(imports.FICHIER_VILLES_CONVOCATION_DEMO, enregistrer=True)
    assert rapport.compteurs["communes"].creees == 2
    assert Commune.objects.get(insee="75056").nom == "Paris"
    assert Commune.objects.get(insee="69123").departement == "69"
    assert Commune.objects.count() == 998  # rien n'est retiré de l'académie
    encore = imports.importer_communes(imports.FICHIER_VILLES_CONVOCATION_DEMO, enregistrer=True)
    assert (encore.compteurs["communes"].creees, encore.compteurs["communes"].inchangees) == (0, 2)


def test_essai_a_blanc_n_ecrit_rien_mais_compte():
    rapport = importer_demo(enregistrer=False)

    assert rapport.est_valide
    assert not rapport.enregistre
    assert rapport.compteurs["communes"].creees == 996
    assert rapport.compteurs["limitrophes"].creees == 2655
    assert "Essai à blanc" in rapport.texte()
    assert not Commune.objects.exists()
    assert not Limitrophe.objects.exists()


# --- Petits fichiers : mises à jour --------------------------------------------------------------------------------


def test_modification_d_une_commune_comptee_et_ecrite(tmp_path):
    importer(tmp_path)
    communes = [ligne.replace("21207", "21500") for ligne in COMMUNES]

    rapport = importer(tmp_path, communes)

    compteurs = rapport.compteurs["communes"]
    assert (compteurs.creees, compteurs.modifiees, compteurs.inchangees) == (0, 1, 4)
    assert Commune.objects.get(insee="13002").population == 21500


def test_essai_a_blanc_ne_modifie_rien(tmp_path):
    importer(tmp_path)
    communes = [ligne.replace("Allauch", "Allauch-Village") for ligne in COMMUNES]

    rapport = importer(tmp_path, communes, enregistrer=False)

    assert rapport.compteurs["communes"].modifiees == 1
    assert Commune.objects.get(insee="13002").nom == "Allauch"


def test_changement_de_contact_met_a_jour_sans_toucher_au_drapeau(tmp_path):
    importer(tmp_path)
    Limitrophe.objects.filter(commune_a="13001").update(desservie_transports_publics=False)

    rapport = importer(tmp_path, limitrophes=["13001,13002,ligne", "13002,13055,ligne"])

    paires = rapport.compteurs["limitrophes"]
    assert (paires.creees, paires.modifiees, paires.inchangees) == (0, 1, 1)
    paire = Limitrophe.objects.get(commune_a="13001", commune_b="13002")
    assert paire.contact == "ligne"
    assert not paire.desservie_transports_publics


def test_nouvelle_paire_desservie_par_defaut(tmp_path):
    importer(tmp_path)

    importer(tmp_path, limitrophes=[*LIMITROPHES, "13001,13055,ligne"])

    assert Limitrophe.objects.get(commune_a="13001", commune_b="13055").desservie_transports_publics


def test_paires_absentes_du_fichier_conservees_et_signalees(tmp_path):
    importer(tmp_path)

    rapport = importer(tmp_path, limitrophes=LIMITROPHES[:1])

    assert rapport.compteurs["limitrophes"].absentes == 1
    assert "1 enregistrement(s) de la base absent(s) du fichier : conservé(s)" in rapport.texte()
    assert Limitrophe.objects.filter(commune_a="13002", commune_b="13055").exists()


def test_references_a_des_communes_deja_en_base(tmp_path):
    CommuneFactory(insee="13055", nom="Marseille", departement="13")
    CommuneFactory(insee="13002", nom="Allauch", departement="13")

    rapport = importer(tmp_path, communes=[COMMUNES[3]], limitrophes=["13002,13055,ligne"])

    assert rapport.est_valide, rapport.texte()
    assert Commune.objects.get(insee="13201").arrondissement_de_id == "13055"
    assert Limitrophe.objects.filter(commune_a="13002", commune_b="13055").exists()


def test_arrondissement_avant_sa_commune_dans_le_fichier(tmp_path):
    rapport = importer(tmp_path, communes=[COMMUNES[3], *COMMUNES[:3]])

    assert rapport.est_valide, rapport.texte()
    assert Commune.objects.get(insee="13201").arrondissement_de_id == "13055"


def test_colonnes_dans_un_autre_ordre_et_bom_acceptes(tmp_path):
    entete = "nom,insee,departement,population,codes_postaux,lat,lon,arrondissement_de"
    chemin = tmp_path / "communes.csv"
    chemin.write_text(f"{entete}\nAllauch,13002,13,21207,13190,43.33722,5.48222,\n", encoding="utf-8-sig")

    rapport = imports.importer_communes(chemin, enregistrer=True)

    assert rapport.est_valide, rapport.texte()
    assert Commune.objects.get(insee="13002").nom == "Allauch"


def test_fichier_compresse(tmp_path):
    communes = tmp_path / "communes.csv.gz"
    communes.write_bytes(gzip.compress("\n".join([ENTETE_COMMUNES, *COMMUNES]).encode()))
    limitrophes = tmp_path / "limitrophes.csv.gz"
    limitrophes.write_bytes(gzip.compress("\n".join([ENTETE_LIMITROPHES, *LIMITROPHES]).encode()))

    rapport = imports.importer_communes(communes, limitrophes, enregistrer=True)

    assert rapport.est_valide, rapport.texte()
    assert Commune.objects.count() == 5
    assert Limitrophe.objects.count() == 2


def test_coordonnees_et_population_vides_acceptees(tmp_path):
    rapport = importer(tmp_path, communes=["15031,Celles,15,,,,,"], limitrophes=[])

    assert rapport.est_valide, rapport.texte()
    celles = Commune.objects.get(insee="15031")
    assert (celles.latitude, celles.longitude, celles.population, celles.codes_postaux) == (None, None, None, "")


# --- Fichiers fautifs : tout ou rien -------------------------------------------------------------------------------

LIGNES_FAUTIVES_COMMUNES = {
    "code INSEE mal formé": (
        "1305,Foo,13,100,13000,43.1,5.1,",
        "Le code INSEE « 1305 » (colonne insee) n'est pas valide",
    ),
    "code INSEE manquant": (",Foo,13,100,13000,43.1,5.1,", "Le code INSEE est manquant (colonne insee)"),
    "nom manquant": ("13003,,13,100,13000,43.1,5.1,", "Le nom de la commune est manquant"),
    "population non numérique": ("13003,Alleins,13,abc,13980,43.1,5.1,", "La population « abc »"),
    "population négative": ("13003,Alleins,13,-4,13980,43.1,5.1,", "La population « -4 »"),
    "latitude hors bornes": ("13003,Alleins,13,100,13980,95.2,5.1,", "La latitude « 95.2 » (colonne lat)"),
    "latitude non numérique": ("13003,Alleins,13,100,13980,nord,5.1,", "La latitude « nord »"),
    "longitude hors bornes": ("13003,Alleins,13,100,13980,43.1,-180.5,", "La longitude « -180.5 » (colonne lon)"),
    "coordonnée seule": ("13003,Alleins,13,100,13980,43.1,,", "la latitude et la longitude ensemble"),
    "code postal mal formé": ("13003,Alleins,13,100,1398,43.1,5.1,", "Les codes postaux « 1398 »"),
    "département incohérent": ("13003,Alleins,84,100,13980,43.1,5.1,", "ne commence pas par celui de son département"),
    "arrondissement d'une commune inconnue": (
        "13216,Marseille 16e Arrondissement,13,16000,13016,43.3,5.3,13999",
        "La commune « 13999 » (colonne arrondissement_de) ne figure ni dans le fichier ni dans la base",
    ),
    "arrondissement d'un arrondissement": (
        "13216,Marseille 16e Arrondissement,13,16000,13016,43.3,5.3,13201",
        "est lui-même un arrondissement municipal",
    ),
    "code INSEE en double": (COMMUNES[0], "Le code INSEE « 13001 » figure déjà ligne 2"),
    "champ en trop": ("13003,Alleins,13,100,13980,43.1,5.1,,", "La ligne compte 9 champ(s) au lieu de 8"),
}
LIGNES_FAUTIVES_LIMITROPHES = {
    "commune inconnue": (
        "13002,13999,ligne",
        "La commune « 13999 » (colonne insee_b) ne figure ni dans le fichier des communes ni dans la base",
    ),
    "codes dans le désordre": ("13055,13001,ligne", "ordre croissant, insee_a avant insee_b : écrivez 13001,13055"),
    "commune limitrophe d'elle-même": ("13001,13001,ligne", "ne peut pas être limitrophe d'elle-même"),
    "contact inconnu": ("13001,13055,bord", "Le contact « bord » (colonne contact) doit valoir « ligne » ou « point »"),
    "arrondissement": ("13001,13201,ligne", "« 13201 » (colonne insee_b) est un arrondissement municipal"),
    "code INSEE mal formé": ("13001,1305,ligne", "Le code INSEE « 1305 » (colonne insee_b) n'est pas valide"),
    "paire en double": ("13001,13002,ligne", "La paire 13001–13002 figure déjà ligne 2"),
}


def assert_rien_en_base():
    assert not Commune.objects.exists()
    assert not Limitrophe.objects.exists()


def inserer(lignes, fautive, position):
    """La ligne fautive en ligne 3 (juste après la première ligne de données) ou en dernière ligne."""
    return [*lignes, fautive] if position == "fin" else [lignes[0], fautive, *lignes[1:]]


@pytest.mark.parametrize("position", ["milieu", "fin"])
@pytest.mark.parametrize("cas", LIGNES_FAUTIVES_COMMUNES)
def test_commune_fautive_refuse_tout_le_fichier(tmp_path, cas, position):
    fautive, message = LIGNES_FAUTIVES_COMMUNES[cas]
    communes = inserer(COMMUNES, fautive, position)

    rapport = importer(tmp_path, communes)

    numero = 3 if position == "milieu" else len(COMMUNES) + 2
    assert [(e.fichier, e.ligne) for e in rapport.erreurs] == [("communes.csv", numero)]
    assert message in rapport.erreurs[0].message
    assert rapport.compteurs["communes"].rejetees == 1
    assert not rapport.enregistre
    assert f"communes.csv, ligne {numero} : " in rapport.texte()
    assert "Rien n'a été importé" in rapport.texte()
    assert_rien_en_base()


@pytest.mark.parametrize("position", ["milieu", "fin"])
@pytest.mark.parametrize("cas", LIGNES_FAUTIVES_LIMITROPHES)
def test_paire_fautive_refuse_tout_l_import(tmp_path, cas, position):
    fautive, message = LIGNES_FAUTIVES_LIMITROPHES[cas]
    limitrophes = inserer(LIMITROPHES, fautive, position)

    rapport = importer(tmp_path, limitrophes=limitrophes)

    numero = 3 if position == "milieu" else len(LIMITROPHES) + 2
    assert [(e.fichier, e.ligne) for e in rapport.erreurs] == [("limitrophes.csv", numero)]
    assert message in rapport.erreurs[0].message
    assert rapport.compteurs["limitrophes"].rejetees == 1
    assert rapport.compteurs["communes"].rejetees == 0
    assert_rien_en_base()


@pytest.mark.parametrize(
    "entetes",
    [
        {"entete_communes": "insee,nom,departement,population,codes_postaux,latitude,longitude,arrondissement_de"},
        {"entete_communes": "insee;nom;departement;population;codes_postaux;lat;lon;arrondissement_de"},
        {"entete_limitrophes": "insee_a,insee_b"},
        {"entete_limitrophes": "insee_a,insee_b,contact,contact"},
    ],
)
def test_en_tete_incorrect_refuse_tout(tmp_path, entetes):
    rapport = importer(tmp_path, **entetes)

    assert len(rapport.erreurs) == 1
    erreur = rapport.erreurs[0]
    assert erreur.ligne == 1
    assert erreur.message.startswith("En-tête incorrect")
    assert "Colonnes attendues" in erreur.message
    assert_rien_en_base()


def test_fichier_vide(tmp_path):
    (tmp_path / "vide.csv").write_text("", encoding="utf-8")

    rapport = imports.importer_communes(tmp_path / "vide.csv", enregistrer=True)

    assert [(e.ligne, e.message[:20]) for e in rapport.erreurs] == [(1, "Le fichier est vide ")]


def test_toutes_les_erreurs_sont_signalees_avec_leur_ligne(tmp_path):
    communes = [*COMMUNES, "13003,,13,100,13980,43.1,5.1,", "13004,Alleins,13,beaucoup,13980,95,5.1,"]
    limitrophes = [*LIMITROPHES, "13055,13001,ligne"]

    rapport = importer(tmp_path, communes, limitrophes)

    assert [(e.fichier, e.ligne) for e in rapport.erreurs] == [
        ("communes.csv", 7),
        ("communes.csv", 8),
        ("limitrophes.csv", 4),
    ]
    # Une ligne fautive de plusieurs façons est rejetée une fois, avec tous ses problèmes.
    assert "La population « beaucoup »" in rapport.erreurs[1].message
    assert "La latitude « 95 »" in rapport.erreurs[1].message
    assert rapport.compteurs["communes"].rejetees == 2
    assert rapport.compteurs["limitrophes"].rejetees == 1
    assert_rien_en_base()


def test_fichier_fautif_ne_modifie_pas_la_base_existante(tmp_path):
    importer(tmp_path)
    communes = [ligne.replace("Allauch", "Allauch-Village") for ligne in COMMUNES]

    rapport = importer(tmp_path, [*communes, "13003,,13,100,13980,43.1,5.1,"], limitrophes=[])

    assert not rapport.est_valide
    assert Commune.objects.get(insee="13002").nom == "Allauch"


def test_guillemet_non_ferme(tmp_path):
    communes = [COMMUNES[0], '13003,"Alleins,13,100,13980,43.1,5.1,', *COMMUNES[1:]]

    rapport = importer(tmp_path, communes)

    assert [(e.fichier, e.ligne) for e in rapport.erreurs] == [("communes.csv", 3)]
    assert rapport.erreurs[0].message.startswith("Ligne CSV mal formée")
    assert_rien_en_base()


def test_champ_sur_plusieurs_lignes_repere_par_sa_premiere_ligne(tmp_path):
    communes = [COMMUNES[0], '13003,"Alleins\nsur deux lignes",13,abc,13980,43.1,5.1,', *COMMUNES[1:]]

    rapport = importer(tmp_path, communes)

    assert [(e.ligne, e.message[:20]) for e in rapport.erreurs] == [(3, "La population « abc ")]


def test_fichier_non_utf8(tmp_path):
    chemin = tmp_path / "communes.csv"
    chemin.write_bytes(
        "\n".join([ENTETE_COMMUNES, *COMMUNES[:2], "13003,Éguilles,13,8000,13510,43.5,5.3,"]).encode("latin-1")
    )

    rapport = imports.importer_communes(chemin, enregistrer=True)

    assert [(e.ligne, e.message) for e in rapport.erreurs] == [
        (4, "Caractère illisible : le fichier doit être encodé en UTF-8.")
    ]
    assert_rien_en_base()


# --- Commande importer_communes ------------------------------------------------------------------------------------


def test_commande_demo_essai_a_blanc_par_defaut():
    sortie = io.StringIO()

    call_command("importer_communes", demo=True, stdout=sortie)

    assert "996 ligne(s) lue(s)" in sortie.getvalue()
    assert "--wet-run" in sortie.getvalue()
    assert_rien_en_base()


def test_commande_demo_wet_run():
    call_command("importer_communes", "--demo", "--wet-run", stdout=io.StringIO())

    assert Commune.objects.count() == 996
    assert Limitrophe.objects.count() == 2655


def test_commande_fichier_fautif_echoue_avec_le_rapport(tmp_path):
    communes = ecrire(tmp_path, "communes.csv", ENTETE_COMMUNES, [*COMMUNES, "13003,,13,100,13980,43.1,5.1,"])
    limitrophes = ecrire(tmp_path, "limitrophes.csv", ENTETE_LIMITROPHES, LIMITROPHES)
    sortie = io.StringIO()

    with pytest.raises(CommandError, match="1 erreur"):
        call_command(
            "importer_communes", f"--communes={communes}", f"--limitrophes={limitrophes}", "--wet-run", stdout=sortie
        )

    assert "communes.csv, ligne 7 : Le nom de la commune est manquant" in sortie.getvalue()
    assert_rien_en_base()


def test_commande_fichier_introuvable(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("importer_communes", f"--communes={tmp_path / 'absent.csv'}", "--demo", stdout=io.StringIO())


# --- Référentiels budgétaires --------------------------------------------------------------------------------------


def importer_budget(tmp_path, lignes, modele=EnveloppeBudgetaire, entete="code,libelle,actif", *, enregistrer=True):
    return imports.importer_referentiel_budgetaire(
        modele, ecrire(tmp_path, "budget.csv", entete, lignes), enregistrer=enregistrer
    )


def test_budget_creation_sans_colonne_actif(tmp_path):
    rapport = importer_budget(
        tmp_path, ["ENV-A,Déplacements des AESH", "ENV-B,Formation continue"], entete="code,libelle"
    )

    assert rapport.est_valide, rapport.texte()
    assert rapport.compteurs["referentiel"].creees == 2
    assert list(EnveloppeBudgetaire.objects.order_by("code").values_list("code", "libelle", "actif")) == [
        ("ENV-A", "Déplacements des AESH", True),
        ("ENV-B", "Formation continue", True),
    ]


def test_budget_mise_a_jour_par_code_et_idempotence(tmp_path):
    EnveloppeBudgetaireFactory(code="ENV-A", libelle="Ancien libellé")
    EnveloppeBudgetaireFactory(code="ENV-Z", libelle="Hors fichier")
    lignes = ["ENV-A,Nouveau libellé,non", "ENV-B,Créée,OUI"]

    rapport = importer_budget(tmp_path, lignes)

    compteurs = rapport.compteurs["referentiel"]
    assert (compteurs.creees, compteurs.modifiees, compteurs.inchangees, compteurs.absentes) == (1, 1, 0, 1)
    enveloppe = EnveloppeBudgetaire.objects.get(code="ENV-A")
    assert (enveloppe.libelle, enveloppe.actif) == ("Nouveau libellé", False)
    assert EnveloppeBudgetaire.objects.filter(code="ENV-Z").exists()

    rapport = importer_budget(tmp_path, lignes)

    compteurs = rapport.compteurs["referentiel"]
    assert (compteurs.creees, compteurs.modifiees, compteurs.inchangees) == (0, 0, 2)
    assert EnveloppeBudgetaire.objects.count() == 3


@pytest.mark.parametrize(
    ("fautive", "message"),
    [
        (",Sans code,oui", "Le code est manquant (colonne code)."),
        ("ENV-C,,oui", "Le libellé est manquant (colonne libelle)."),
        ("ENV-C,Libellé,peut-être", "La valeur « peut-être » (colonne actif) doit être oui, non, 1, 0, true ou false"),
        ("ENV-A,Doublon,oui", "Le code « ENV-A » figure déjà ligne 2"),
        (f"{'X' * 31},Code trop long,oui", "dépasse 30 caractères"),
    ],
)
def test_budget_ligne_fautive_refuse_tout(tmp_path, fautive, message):
    rapport = importer_budget(tmp_path, ["ENV-A,Déplacements des AESH,oui", "ENV-B,Formation,non", fautive])

    assert [e.ligne for e in rapport.erreurs] == [4]
    assert message in rapport.erreurs[0].message
    assert rapport.compteurs["referentiel"].rejetees == 1
    assert not EnveloppeBudgetaire.objects.exists()


def test_budget_en_tete_incorrect(tmp_path):
    rapport = importer_budget(tmp_path, ["ENV-A,Déplacements"], entete="code,intitule")

    assert [e.ligne for e in rapport.erreurs] == [1]
    assert "colonne(s) manquante(s) : libelle" in rapport.erreurs[0].message
    assert "colonne(s) inconnue(s) : intitule" in rapport.erreurs[0].message
    assert not EnveloppeBudgetaire.objects.exists()


def test_budget_essai_a_blanc(tmp_path):
    rapport = importer_budget(tmp_path, ["ENV-A,Déplacements"], entete="code,libelle", enregistrer=False)

    assert rapport.compteurs["referentiel"].creees == 1
    assert not EnveloppeBudgetaire.objects.exists()


@pytest.mark.parametrize(
    ("type_", "fichier", "modele"),
    [
        ("enveloppe", "enveloppes.csv", EnveloppeBudgetaire),
        ("centre_couts", "centres_couts.csv", CentreCouts),
        ("domaine_fonctionnel", "domaines_fonctionnels.csv", DomaineFonctionnel),
    ],
)
def test_commande_budget_fichiers_de_demo(settings, type_, fichier, modele):
    chemin = settings.BASE_DIR / "data" / "budget" / fichier
    lignes = len(chemin.read_text(encoding="utf-8").splitlines()) - 1

    call_command("importer_referentiel_budgetaire", str(chemin), type=type_, stdout=io.StringIO())
    assert not modele.objects.exists()

    call_command("importer_referentiel_budgetaire", str(chemin), "--wet-run", type=type_, stdout=io.StringIO())
    assert modele.objects.count() == lignes >= 5


def test_commande_budget_fichier_fautif(tmp_path):
    chemin = ecrire(tmp_path, "centres.csv", "code,libelle,actif", ["RECDPE0006,Rectorat,oui", "RECDAF0002,,oui"])
    sortie = io.StringIO()

    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("importer_referentiel_budgetaire", str(chemin), "--type=centre_couts", "--wet-run", stdout=sortie)

    assert "centres.csv, ligne 3 : Le libellé est manquant" in sortie.getvalue()
    assert not CentreCouts.objects.exists()
