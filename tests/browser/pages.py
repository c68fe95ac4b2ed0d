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
