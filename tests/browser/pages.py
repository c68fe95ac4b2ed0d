"""Objets de page : une classe par page, ce qu'une personne y voit et y fait."""

from playwright.sync_api import Page, expect


class PageConnexion:
    def __init__(self, page: Page):
        self.page = page

    def ouvrir(self) -> "PageConnexion":
        self.page.goto("/connexion/")
        expect(self.page).to_have_title("Connexion — Itinera")
        return self

    def se_connecter(self, email: str, mot_de_passe: str) -> None:
        self.page.get_by_label("Adresse électronique professionnelle").fill(email)
        self.page.get_by_label("Mot de passe").fill(mot_de_passe)
        self.page.get_by_role("button", name="Se connecter").click()

    def erreur(self) -> str:
        return self.page.get_by_role("alert").inner_text()


class PageMesDeplacements:
    def __init__(self, page: Page):
        self.page = page

    def attendre(self) -> "PageMesDeplacements":
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Mes déplacements")
        return self

    def menu(self) -> list[str]:
        return self.page.locator("#fr-navigation .fr-nav__link").all_inner_texts()


class PageFileAValider:
    def __init__(self, page: Page):
        self.page = page

    def ouvrir(self) -> "PageFileAValider":
        self.page.goto("/a-valider/")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("À valider")
        return self

    def numeros(self) -> list[str]:
        return self.page.locator("#table-file tbody tr td:nth-child(2) a").all_inner_texts()

    def selectionner_les_dossiers_sans_anomalie(self) -> None:
        bouton = self.page.get_by_role("button", name="Sélectionner les dossiers sans anomalie de la page")
        propres = self.page.locator("#table-file input[data-propre]")
        expect(propres.first).to_be_visible()
        bouton.click()
        for index in range(propres.count()):
            expect(propres.nth(index)).to_be_checked()

    def cocher(self, pks) -> None:
        for pk in pks:
            self.page.locator(f"#ordre-{pk}").check(force=True)

    def valider_la_selection(self) -> None:
        self.page.get_by_role("button", name="Valider la sélection…").click()
        self.page.wait_for_load_state("load")
        titre = self.page.get_by_role("heading", level=1).inner_text()
        alertes = self.page.locator(".fr-alert").all_inner_texts()
        assert titre == "Confirmer la validation groupée", f"{titre} : {alertes}"
        self.page.get_by_role("button", name="Confirmer la validation").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Compte rendu de la validation groupée")

    def ouvrir_ordre(self, numero: str) -> None:
        self.page.get_by_role("link", name=numero).click()


class PageOrdre:
    def __init__(self, page: Page):
        self.page = page

    def etat(self) -> str:
        return self.page.locator("p.fr-badge").first.inner_text()

    def refuser(self, motif: str) -> None:
        self.page.get_by_label("Motif").first.fill(motif)
        self.page.get_by_role("button", name="Refuser").click()

    def cliquer(self, bouton: str) -> None:
        self.page.get_by_role("button", name=bouton).click()


class PageMesDeplacementsAgent(PageMesDeplacements):
    def preparer_le_mois(self, libelle: str) -> None:
        self.page.get_by_label("Préparer l'ordre de mission d'un autre mois").select_option(label=libelle)
        self.page.get_by_role("button", name="Préparer ce mois").click()


class PageOmi(PageOrdre):
    def total(self) -> str:
        return self.page.locator("#omi-total").inner_text()

    def decocher_un_jour(self) -> None:
        self.page.locator("button[name=decocher]").first.click()


# --- OM ponctuels : saisie, billets de l'agence, état de frais après la mission ------------------------------------------


class PageNouveauPonctuel:
    def __init__(self, page: Page):
        self.page = page

    def ouvrir(self) -> "PageNouveauPonctuel":
        self.page.goto("/deplacements/ponctuels/nouveau/")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Nouvel ordre de mission ponctuel")
        return self

    def saisir(self, *, commune: str, objet: str, jour: str, depart: str, retour: str) -> None:
        self.page.get_by_label("Commune de la mission").fill(commune)
        self.page.get_by_label("Objet").fill(objet)
        self.page.get_by_label("Date du départ").fill(jour)
        self.page.get_by_label("Heure du départ").fill(depart)
        self.page.get_by_label("Date du retour").fill(jour)
        self.page.get_by_label("Heure du retour").fill(retour)
        self.page.get_by_text("du train, à la gare").check()

    def demander_des_billets(self, convocation: dict) -> None:
        self.page.get_by_label("Je demande des titres de transport à l'agence de voyage").check(force=True)
        self.page.locator("input[name=convocation]").set_input_files(convocation)

    def creer(self) -> None:
        self.page.get_by_role("button", name="Créer l'ordre de mission").click()
        expect(self.page.get_by_text("créé.")).to_be_visible()


class PageOrdrePonctuel(PageOrdre):
    def demander_le_billet(self, sens: str, *, gare_depart: str, gare_arrivee: str, cout: str) -> None:
        self.page.get_by_role("link", name=f"Demander le billet {sens}").click()
        self.page.get_by_label("Gare de départ").fill(gare_depart)
        self.page.get_by_label("Gare d'arrivée").fill(gare_arrivee)
        self.page.get_by_label("Coût prévisionnel, frais d'agence compris (€)").fill(cout)
        self.page.get_by_role("button", name="Enregistrer la demande").click()
        expect(self.page.get_by_text(f"Demande de billet {sens} enregistrée.")).to_be_visible()

    def soumettre(self) -> None:
        self.cliquer("Soumettre à validation")
        expect(self.page.get_by_text("Ordre de mission soumis.")).to_be_visible()

    def billets(self) -> list[str]:
        return self.page.locator("#ponctuel-billets .fr-badge").all_inner_texts()

    def etablir_l_etat_de_frais(self) -> "PageEtatFraisPonctuel":
        self.cliquer("Établir l'état de frais")
        expect(self.page.get_by_text("établi à partir de votre ordre")).to_be_visible()
        return PageEtatFraisPonctuel(self.page)


class PageAgence:
    def __init__(self, page: Page):
        self.page = page

    def ouvrir(self) -> "PageAgence":
        self.page.goto("/deplacements/ponctuels/agence/")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Billets à commander")
        return self

    def enregistrer_le_billet(self, sens: str, numero: str, *, reference: str, cout: str, fichier: dict) -> None:
        self.page.get_by_role("link", name=f"Enregistrer le billet {sens} de {numero}").click()
        self.page.get_by_label("Référence du dossier ou du billet").fill(reference)
        self.page.get_by_label("Coût facturé (€)").fill(cout)
        self.page.locator("input[name=fichier]").set_input_files(fichier)
        self.page.get_by_role("button", name="Enregistrer le billet").click()
        expect(self.page.get_by_text(f"Billet enregistré pour {numero}")).to_be_visible()


class PageEtatFraisPonctuel:
    def __init__(self, page: Page):
        self.page = page

    def total(self) -> str:
        return self.page.locator("#ef-total-declare strong").inner_text()

    def etapes(self) -> list[str]:
        return self.page.locator("#ef-etapes tbody th").all_inner_texts()

    def corriger_le_retour(self, heure: str) -> None:
        self.page.get_by_role("link", name="Corriger les horaires réels").click()
        self.page.get_by_label("Heure réelle du retour").fill(heure)
        self.page.get_by_role("button", name="Enregistrer les horaires réels").click()
        expect(self.page.get_by_text("Horaires réels enregistrés.")).to_be_visible()

    def joindre(self, libelle: str, fichier: dict) -> None:
        self.page.get_by_role("link", name="Joindre un justificatif").click()
        self.page.get_by_label("Ce que justifie le fichier").fill(libelle)
        self.page.locator("input[name=fichier]").set_input_files(fichier)
        self.page.get_by_role("button", name="Joindre le justificatif").click()
        expect(self.page.get_by_text(f"Justificatif « {libelle} » joint.")).to_be_visible()

    def soumettre(self) -> None:
        self.page.get_by_role("button", name="Soumettre l'état de frais").click()
        expect(self.page.get_by_text("État de frais soumis")).to_be_visible()
