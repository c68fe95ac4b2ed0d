"""Mise en paiement : lots d'états de frais validés, fichier pour la comptabilité (CSV) et virements SEPA (pain.001).

Un état de frais n'entre que dans un seul lot : les lignes sont verrouillées à la création du lot, et un index unique
partiel (`ef_dans_un_seul_lot`) le garantit aussi dans la base si deux lots sont créés au même instant.

Les fichiers d'un lot sont produits une fois, à sa création, à partir de ce que le lot a recopié (coordonnées
bancaires, codes budgétaires, compte débité, date de création) : les produire de nouveau donne les mêmes octets.
Ils sont enregistrés avec leur empreinte SHA-256, vérifiée avant chaque téléchargement.

Le compte débité vient du réglage `ITINERA_SEPA_DEBITEUR` (nom, IBAN, BIC) ; sans lui, un compte de démonstration.
"""

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_fsm import can_proceed
from sepaxml import SepaTransfer

from agents import validators
from bareme import calcul
from validation import etats_frais, regles
from validation.etats_frais import EtatFraisRefuse
from validation.models import ActionEF, ElementLot, EtatEF, EtatFrais, LotPaiement

ZERO = Decimal(0)
SCHEMA_SEPA = "pain.001.001.03"
DEBITEUR_DEMO = {
    "name": "Agence comptable de l'academie de demonstration",
    "IBAN": "FR7630001000640000000000137",
    "BIC": "BDFEFRPPCCT",
}
COLONNES_CSV = (
    "lot",
    "etat_de_frais",
    "mois",
    "agent",
    "titulaire_du_compte",
    "iban",
    "bic",
    "montant",
    "enveloppe_budgetaire",
    "centre_de_couts",
    "domaine_fonctionnel",
)
ACTION_IMPOSSIBLE = "Action déjà effectuée ou plus possible : le lot a changé d'état entre-temps."


# --- Compte débité et coordonnées des agents ---------------------------------------------------------------------------


def debiteur() -> dict:
    """Le compte de l'académie débité par les virements : réglage `ITINERA_SEPA_DEBITEUR`, vérifié."""
    conf = getattr(settings, "ITINERA_SEPA_DEBITEUR", DEBITEUR_DEMO)
    compte = {
        "name": str(conf.get("name", "")).strip(),
        "IBAN": validators.normalize_iban(conf.get("IBAN", "")),
        "BIC": str(conf.get("BIC", "")).replace(" ", "").upper(),
    }
    if not compte["name"]:
        raise EtatFraisRefuse("Le nom du compte débité (ITINERA_SEPA_DEBITEUR) n'est pas renseigné.")
    try:
        validators.validate_iban(compte["IBAN"])
        validators.validate_bic(compte["BIC"])
    except ValidationError as erreur:
        raise EtatFraisRefuse(
            "Le compte débité (ITINERA_SEPA_DEBITEUR) a un IBAN ou un BIC invalide : l'administrateur doit le corriger."
        ) from erreur
    return compte


def probleme_coordonnees(agent) -> str | None:
    """Pourquoi on ne peut pas virer à cet agent, en une phrase pour le gestionnaire ; None si tout va bien."""
    nom = agent.user.get_full_name()
    if not agent.has_coordonnees_bancaires:
        return (
            f"{nom} n'a pas renseigné ses coordonnées bancaires (IBAN et BIC) : son état de frais reste validé, "
            "hors du lot, jusqu'à ce qu'il les saisisse dans son profil."
        )
    try:
        validators.validate_iban(agent.iban)
        validators.validate_bic(agent.bic)
    except ValidationError:
        return (
            f"Les coordonnées bancaires de {nom} sont invalides (IBAN ou BIC) : son état de frais reste validé, "
            "hors du lot, jusqu'à ce qu'il les corrige dans son profil."
        )
    return None


def motif_blocage(etat_frais: EtatFrais) -> str | None:
    """Ce qui empêche cet état de frais d'entrer dans un lot ; None s'il peut y entrer."""
    if etat_frais.etat == EtatEF.MIS_EN_PAIEMENT:
        return f"{etat_frais.numero} est déjà dans un lot de paiement."
    if etat_frais.etat != EtatEF.VALIDE:
        return f"{etat_frais.numero} n'est pas validé ({etat_frais.get_etat_display().lower()})."
    if etat_frais.montant_total <= ZERO:
        return f"{etat_frais.numero} est à 0 € : il n'y a rien à payer, annulez-le plutôt."
    return probleme_coordonnees(etat_frais.agent)


# --- Lectures ---------------------------------------------------------------------------------------------------------


def lots_visibles(user, jour: datetime.date | None = None) -> QuerySet[LotPaiement]:
    """Les lots dont tous les états de frais sont dans le périmètre de gestion de cette personne."""
    hors_perimetre = EtatFrais.objects.exclude(regles.perimetre_de_gestion_q(user, jour))
    return LotPaiement.objects.exclude(elements__etat_frais__in=hors_perimetre).select_related("created_by")


def lot_visible_ou_404(user, pk: int) -> LotPaiement:
    return get_object_or_404(lots_visibles(user), pk=pk)


def elements(lot: LotPaiement) -> list[ElementLot]:
    return list(lot.elements.select_related("etat_frais__agent__user").order_by("position"))


def etats_frais_payables(user, jour: datetime.date | None = None) -> QuerySet[EtatFrais]:
    """Les états de frais validés du périmètre qui attendent un lot."""
    return etats_frais.pour_la_liste(etats_frais.etats_frais_de_gestion(user, jour).filter(etat=EtatEF.VALIDE))


# --- Fichiers ---------------------------------------------------------------------------------------------------------


def _texte_csv(texte: str) -> str:
    """Un nom saisi par l'agent ne doit pas devenir une formule dans un tableur (« =… », « +… », « @… »)."""
    return f"'{texte}" if texte[:1] in ("=", "+", "-", "@", "\t", "\r") else texte


def _montant_csv(montant: Decimal) -> str:
    return f"{montant:.2f}".replace(".", ",")


def contenu_csv(lot: LotPaiement, lignes: list[ElementLot]) -> bytes:
    """Une ligne par état de frais, séparateur « ; », montants à virgule, UTF-8."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(COLONNES_CSV)
    for element in lignes:
        ecrivain.writerow(
            (
                lot.numero,
                element.reference,
                element.etat_frais.mois.strftime("%Y-%m"),
                _texte_csv(element.nom_agent),
                _texte_csv(element.titulaire),
                element.iban,
                element.bic,
                _montant_csv(element.montant),
                element.code_enveloppe,
                element.code_centre_couts,
                element.code_domaine,
            )
        )
    return sortie.getvalue().encode("utf-8")


class VirementsSepa(SepaTransfer):
    """Le virement SEPA de `sepaxml`, avec l'identifiant du message, sa date de création et les identifiants de
    paiement tirés du lot (au lieu d'un hasard et de l'heure courante) : le même lot donne toujours le même fichier."""

    def __init__(self, config: dict, *, identifiant: str, cree_le: datetime.datetime):
        self._identifiant = identifiant
        self._cree_le = cree_le
        super().__init__(config, schema=SCHEMA_SEPA)

    def _create_header(self):
        self.msg_id = self._identifiant
        super()._create_header()
        entete = self._xml.find(self.root_el).find("GrpHdr")
        entete.find("CreDtTm").text = self._cree_le.strftime("%Y-%m-%dT%H:%M:%S")

    def _finalize_batch(self):
        super()._finalize_batch()
        for rang, noeud in enumerate(self._xml.iter("PmtInfId"), start=1):
            noeud.text = f"{self._identifiant}-{rang}"


def _centimes(montant: Decimal) -> int:
    return int(montant.scaleb(2).to_integral_value())


def _libelle_virement(references: list[str]) -> str:
    """« Frais de deplacement EF-… EF-… », raccourci en « … et 3 autres EF » au-delà des 140 caractères du SEPA."""
    debut = "Frais de deplacement "
    libelle = debut + " ".join(references)
    if len(libelle) <= 140:
        return libelle
    for gardees in range(len(references) - 1, 0, -1):
        libelle = debut + " ".join(references[:gardees]) + f" et {len(references) - gardees} autres EF"
        if len(libelle) <= 140:
            return libelle
    return f"{debut}{len(references)} EF"


def virements(lot: LotPaiement, lignes: list[ElementLot]) -> list[dict]:
    """Un virement par agent : la somme de ses états de frais du lot, avec leurs références en libellé."""
    par_agent: dict[int, list[ElementLot]] = {}
    for element in lignes:
        par_agent.setdefault(element.etat_frais.agent_id, []).append(element)
    resultat = []
    for rang, groupe in enumerate(par_agent.values(), start=1):
        premier = groupe[0]
        resultat.append(
            {
                "name": premier.titulaire,
                "IBAN": premier.iban,
                "BIC": premier.bic,
                "amount": sum(_centimes(element.montant) for element in groupe),
                "execution_date": lot.date_execution,
                "description": _libelle_virement([element.reference for element in groupe]),
                "endtoend_id": f"{lot.numero}-{rang:04d}",
            }
        )
    return resultat


def contenu_sepa(lot: LotPaiement, lignes: list[ElementLot]) -> bytes:
    """Le fichier de virements pain.001.001.03, produit par `sepaxml` et validé par lui contre son schéma XSD."""
    config = {**lot.debiteur, "batch": True, "currency": "EUR"}
    fichier = VirementsSepa(
        config, identifiant=f"ITINERA-{lot.numero}", cree_le=timezone.localtime(lot.created_at).replace(tzinfo=None)
    )
    for virement in virements(lot, lignes):
        fichier.add_payment(virement)
    return fichier.export(validate=True)


def chemin_schema_sepa() -> Path:
    import sepaxml

    return Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA_SEPA}.xsd"


def valider_schema_sepa(contenu: bytes) -> None:
    """Lève `xmlschema.XMLSchemaValidationError` si le fichier ne respecte pas le schéma pain.001.001.03."""
    import xmlschema  # importé à la demande, comme le fait sepaxml

    xmlschema.XMLSchema(str(chemin_schema_sepa())).validate(contenu.decode("utf-8"))


def generer_fichiers(lot: LotPaiement) -> tuple[bytes, bytes]:
    """Les deux fichiers du lot, reproduits à partir de ce qu'il a recopié (mêmes octets à chaque fois)."""
    lignes = list(lot.elements.select_related("etat_frais").order_by("position"))
    return contenu_csv(lot, lignes), contenu_sepa(lot, lignes)


def empreinte(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


def _enregistrer_fichiers(lot: LotPaiement) -> None:
    csv_, sepa = generer_fichiers(lot)
    lot.csv_sha256 = empreinte(csv_)
    lot.sepa_sha256 = empreinte(sepa)
    lot.fichier_csv.save(f"{lot.numero}-comptabilite.csv", ContentFile(csv_), save=False)
    lot.fichier_sepa.save(f"{lot.numero}-virements-sepa.xml", ContentFile(sepa), save=False)


class FichierAltere(Exception):
    pass


def lire_fichier(lot: LotPaiement, quel: str) -> bytes:
    """Le fichier enregistré (« csv » ou « sepa »), après vérification de son empreinte."""
    fichier, attendu = (lot.fichier_csv, lot.csv_sha256) if quel == "csv" else (lot.fichier_sepa, lot.sepa_sha256)
    with fichier.open("rb") as flux:
        contenu = flux.read()
    if empreinte(contenu) != attendu:
        raise FichierAltere(f"Le fichier du lot {lot.numero} ne correspond plus à son empreinte.")
    return contenu


# --- Actions ----------------------------------------------------------------------------------------------------------


@dataclass
class RapportLot:
    lot: LotPaiement | None = None
    ecartes: list = field(default_factory=list)  # (état de frais, motif)


def _ordre_de_paiement(etat_frais: EtatFrais):
    user = etat_frais.agent.user
    return (user.last_name.lower(), user.first_name.lower(), etat_frais.agent_id, etat_frais.mois, etat_frais.pk)


def creer_lot(
    *, etats: list[EtatFrais], par, date_execution: datetime.date, jour: datetime.date | None = None
) -> RapportLot:
    """Crée un lot avec les états de frais sélectionnés qui peuvent être payés ; dit pourquoi les autres sont écartés.

    Un agent sans coordonnées bancaires valides n'empêche que son propre état de frais d'entrer dans le lot.
    """
    identifiants = sorted({etat_frais.pk for etat_frais in etats})
    if not identifiants:
        raise EtatFraisRefuse("Sélectionnez au moins un état de frais validé.")
    rapport = RapportLot()
    compte = debiteur()
    with transaction.atomic():
        verrouilles = list(
            EtatFrais.objects.select_for_update(of=("self",))
            .filter(pk__in=identifiants)
            .select_related("agent__user", "enveloppe_budgetaire", "centre_couts", "domaine_fonctionnel")
            .order_by("pk")
        )
        retenus = []
        for etat_frais in verrouilles:
            autorisation = etats_frais.autoriser_gestion(par, etat_frais.agent, jour)
            motif = autorisation.motif if not autorisation else motif_blocage(etat_frais)
            if motif:
                rapport.ecartes.append((etat_frais, motif))
            else:
                retenus.append((etat_frais, autorisation))
        if not retenus:
            raise EtatFraisRefuse(
                "Aucun lot créé : aucun des états de frais sélectionnés ne peut être mis en paiement. "
                + " ".join(motif for _, motif in rapport.ecartes)
            )
        lot = LotPaiement.objects.create(date_execution=date_execution, debiteur=compte, created_by=par)
        nouveaux = []
        retenus.sort(key=lambda paire: _ordre_de_paiement(paire[0]))
        for position, (etat_frais, autorisation) in enumerate(retenus, start=1):
            source = etat_frais.etat
            etat_frais.mettre_en_paiement()
            etat_frais.save()
            etats_frais.journaliser(
                etat_frais,
                ActionEF.METTRE_EN_PAIEMENT,
                source,
                par,
                f"Lot {lot.numero}, virement demandé pour le {calcul.date_fr(date_execution)}.",
                autorisation.pour_le_compte_de,
            )
            agent = etat_frais.agent
            nouveaux.append(
                ElementLot(
                    lot=lot,
                    etat_frais=etat_frais,
                    position=position,
                    reference=etat_frais.numero,
                    nom_agent=agent.user.get_full_name(),
                    titulaire=(agent.titulaire_compte or agent.user.get_full_name())[:140],
                    iban=validators.normalize_iban(agent.iban),
                    bic=agent.bic.replace(" ", "").upper(),
                    montant=etat_frais.montant_total,
                    code_enveloppe=getattr(etat_frais.enveloppe_budgetaire, "code", ""),
                    code_centre_couts=getattr(etat_frais.centre_couts, "code", ""),
                    code_domaine=getattr(etat_frais.domaine_fonctionnel, "code", ""),
                )
            )
        ElementLot.objects.bulk_create(nouveaux)
        lot.nombre = len(nouveaux)
        lot.montant_total = sum((element.montant for element in nouveaux), ZERO)
        _enregistrer_fichiers(lot)
        lot.save()
    rapport.lot = lot
    return rapport


def _verrouiller_lot(lot: LotPaiement, par, jour) -> LotPaiement:
    verrouille = LotPaiement.objects.select_for_update(of=("self",)).filter(pk=lot.pk).first()
    if verrouille is None or not lots_visibles(par, jour).filter(pk=lot.pk).exists():
        raise EtatFraisRefuse("Ce lot n'est pas dans votre périmètre de gestion.")
    return verrouille


def _etats_du_lot(lot: LotPaiement) -> list[EtatFrais]:
    return list(
        EtatFrais.objects.select_for_update(of=("self",))
        .filter(elements_lot__lot=lot, elements_lot__actif=True)
        .select_related("agent__user")
        .order_by("pk")
    )


def marquer_envoye(*, lot: LotPaiement, par, jour: datetime.date | None = None) -> LotPaiement:
    """Les fichiers sont partis au comptable : le lot ne peut plus être annulé."""
    with transaction.atomic():
        lot = _verrouiller_lot(lot, par, jour)
        if not can_proceed(lot.marquer_envoye):
            raise EtatFraisRefuse(ACTION_IMPOSSIBLE)
        lot.marquer_envoye(par=par, le=timezone.now())
        lot.save()
    return lot


def marquer_paye(*, lot: LotPaiement, par, le: datetime.date, jour: datetime.date | None = None) -> LotPaiement:
    """Le comptable a payé : chaque état de frais du lot passe à « payé » à cette date, et son agent est prévenu."""
    if le > timezone.localdate():
        raise EtatFraisRefuse("La date de paiement ne peut pas être dans le futur.")
    with transaction.atomic():
        lot = _verrouiller_lot(lot, par, jour)
        if not can_proceed(lot.marquer_paye):
            raise EtatFraisRefuse(ACTION_IMPOSSIBLE)
        lot.marquer_paye(par=par, le=le)
        lot.save()
        for etat_frais in _etats_du_lot(lot):
            source = etat_frais.etat
            etat_frais.payer(le=le)
            etat_frais.save()
            etats_frais.journaliser(etat_frais, ActionEF.PAYER, source, par, f"Lot {lot.numero} payé.")
            etats_frais.notifier_agent(
                etat_frais,
                f"Votre état de frais {etat_frais.numero} ({calcul.euros_fr(etat_frais.montant_total)}) a été payé "
                f"le {calcul.date_fr(le)}.",
                par,
            )
    return lot


def annuler_lot(*, lot: LotPaiement, par, motif: str, jour: datetime.date | None = None) -> LotPaiement:
    """Avant sa transmission, un lot s'annule : ses états de frais redeviennent « validés », libres pour un autre lot."""
    motif = (motif or "").strip()
    if not motif:
        raise EtatFraisRefuse("Indiquez le motif de l'annulation du lot.")
    with transaction.atomic():
        lot = _verrouiller_lot(lot, par, jour)
        if not can_proceed(lot.annuler):
            raise EtatFraisRefuse("Un lot transmis au comptable ne s'annule plus.")
        lot.annuler(par=par, le=timezone.now(), motif=motif)
        lot.save()
        for etat_frais in _etats_du_lot(lot):
            source = etat_frais.etat
            etat_frais.retirer_du_lot()
            etat_frais.save()
            etats_frais.journaliser(
                etat_frais, ActionEF.RETIRER_DU_LOT, source, par, f"Lot {lot.numero} annulé : {motif}"
            )
        lot.elements.filter(actif=True).update(actif=False)
    return lot
