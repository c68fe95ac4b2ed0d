"""Après la mission : la déclaration réelle de l'état de frais (EF) d'un OM ponctuel.

L'EF d'un OM ponctuel naît « en cours de saisie » (`EtatEF.BROUILLON`) avec une copie du prévisionnel de l'ordre
validé (`initialiser`) : horaires, étapes (repas et nuitées), frais. L'agent y corrige le réel :

- ses **horaires réels** (`modifier_horaires`) : les étapes de l'EF sont régénérées par les mêmes fonctions pures que
  celles de l'ordre (`ponctuels.etapes_dues_pour`, `ponctuels.synchroniser_etapes`), en gardant ses choix qui
  s'appliquent encore et en disant ce qui change (`ponctuels.Regeneration`) ;
- la **prise en charge** de chaque repas ou nuitée (`modifier_etape`) ;
- ses **frais réels** (`enregistrer_frais`, `supprimer_frais`), dans les limites de la politique de voyage ;
- ses **justificatifs** (`joindre_justificatif`, `supprimer_justificatif`) : PDF, JPEG ou PNG vérifiés sur leurs
  octets (`missions.fichiers`).

Les montants viennent des fonctions de `missions.calculs` qui calculent le prévisionnel, appliquées à des étapes et
des frais non enregistrés (`calculer`) : un repas, une nuitée ou un frais réel se calcule exactement comme un
prévisionnel, au barème de sa date. Chaque modification réécrit les lignes de l'EF (`ecrire_lignes`) : elles
reflètent toujours la déclaration, et la soumission (`validation.etats_frais.soumettre`) les écrit une dernière
fois. Les indemnités kilométriques du trajet vers la gare restent celles de l'ordre validé. Les billets achetés par
l'agence de voyage sont montrés, jamais remboursés. Voir docs/om_ponctuels.md.

Seul l'agent déclare, et seulement tant que l'EF est en cours de saisie (`peut_declarer`) ; une action refusée ne
change rien (transaction, fichier effacé).
"""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Sum

from bareme import calcul
from bareme.enums import TypeBareme
from bareme.selectors import versions_forfaits
from missions import fichiers
from missions.calculs import (
    CalculOrdre,
    EtapeCalculee,
    FraisCalcule,
    calculer_etape,
    calculer_frais_ponctuels,
    en_heure_locale,
    trier_etapes,
)
from missions.enums import MODES_NUITEE, MODES_REPAS, ModeEtape, TypeFrais, TypeOrdre
from missions.models import Billet, Frais, OrdreMission, PolitiqueVoyage
from missions.ponctuels import (
    FRAIS_PONCTUEL,
    MODES_COURTS,
    NATURES_FRAIS,
    Regeneration,
    etapes_dues_pour,
    mode_propose,
    synchroniser_etapes,
)
from validation.models import (
    EtapeEtatFrais,
    EtatEF,
    EtatFrais,
    FraisEtatFrais,
    JustificatifEtatFrais,
    LigneEtatFrais,
    NatureLigne,
)

ZERO = Decimal(0)
REFUS_DECLARATION = (
    "Cet état de frais n'est plus modifiable : il a été soumis, ou vous n'en êtes pas l'agent. "
    "Après un rejet, reprenez-le pour le corriger."
)
DECALAGE_POSITIONS = 10_000  # les lignes gardées s'écartent le temps de renuméroter (position unique par EF)


# --- Droits -----------------------------------------------------------------------------------------------------------


def est_declaratif(etat_frais: EtatFrais) -> bool:
    """L'EF d'un OM ponctuel : l'agent y déclare le réel (ceux des OMI sont les montants de l'ordre validé)."""
    return etat_frais.ordre.type == TypeOrdre.PONCTUEL


def peut_declarer(user, etat_frais: EtatFrais) -> bool:
    return etat_frais.etat == EtatEF.BROUILLON and etat_frais.agent.user_id == user.pk and est_declaratif(etat_frais)


def _verrouiller(etat_frais: EtatFrais, par) -> EtatFrais:
    """L'EF verrouillé pour la transaction, après vérification que `par` peut encore le déclarer."""
    etat_frais = (
        EtatFrais.objects.select_for_update(of=("self",))
        .select_related(
            "agent__user",
            "agent__residence_administrative__commune",
            "agent__commune_familiale",
            "ordre__destination_principale",
        )
        .get(pk=etat_frais.pk)
    )
    if not peut_declarer(par, etat_frais):
        raise PermissionDenied(REFUS_DECLARATION)
    return etat_frais


# --- Création : le prévisionnel recopié -------------------------------------------------------------------------------


def initialiser(etat_frais: EtatFrais, ordre: OrdreMission) -> None:
    """La déclaration part du prévisionnel de l'ordre validé : ses horaires, ses étapes (avec les choix de l'agent)
    et ses frais. À appeler dans la transaction qui crée (ou reprend) l'EF."""
    etat_frais.depart_le, etat_frais.retour_le = ordre.depart_le, ordre.retour_le
    etat_frais.save(update_fields=["depart_le", "retour_le", "updated_at"])
    EtapeEtatFrais.objects.bulk_create(
        EtapeEtatFrais(
            etat_frais=etat_frais,
            type=etape.type,
            date=etape.date,
            commune_id=etape.commune_id,
            mode=etape.mode,
            ajuste=etape.ajuste,
            commentaire=etape.commentaire,
        )
        for etape in ordre.etapes.all()
    )
    FraisEtatFrais.objects.bulk_create(
        FraisEtatFrais(
            etat_frais=etat_frais,
            type=frais.type,
            date=frais.date,
            montant=frais.montant,
            commentaire=frais.commentaire,
            frais_prevu=frais,
        )
        for frais in ordre.frais.filter(type__in=FRAIS_PONCTUEL, montant__isnull=False)
    )


# --- Montants : les fonctions du prévisionnel, sur le réel ------------------------------------------------------------


@dataclass
class DeclarationCalculee:
    """Chaque étape et chaque frais déclarés, avec leur calcul (None pour une étape que le barème ne sait pas payer)."""

    etapes: list[tuple[EtapeEtatFrais, EtapeCalculee | None]] = field(default_factory=list)
    frais: list[tuple[FraisEtatFrais, FraisCalcule]] = field(default_factory=list)
    erreurs: list[str] = field(default_factory=list)

    @property
    def montant_etapes(self) -> Decimal:
        return sum((item.montant for _, item in self.etapes if item is not None), ZERO)

    @property
    def montant_frais(self) -> Decimal:
        return sum((item.montant for _, item in self.frais), ZERO)


def _etapes_declarees(etat_frais: EtatFrais) -> list[EtapeEtatFrais]:
    return trier_etapes(etat_frais.etapes.select_related("commune__arrondissement_de"))


def _frais_declares(etat_frais: EtatFrais) -> list[FraisEtatFrais]:
    return list(etat_frais.frais_reels.order_by("date", "pk"))


def calculer(etat_frais: EtatFrais, etapes=None, frais=None) -> DeclarationCalculee:
    """Les montants de la déclaration : chaque étape au barème de sa date et au taux de son lieu, selon le mode
    choisi ; chaque frais au réel, plafonds de la politique de voyage compris (stationnement sur les horaires réels,
    tickets par jour). Chaque montant est arrondi une fois, au centime, par `missions.calculs`."""
    etapes = _etapes_declarees(etat_frais) if etapes is None else etapes
    frais = _frais_declares(etat_frais) if frais is None else frais
    politique = PolitiqueVoyage.courante()
    resultat = DeclarationCalculee()
    if etapes:
        versions_repas = versions_forfaits(TypeBareme.REPAS)
        versions_nuitee = versions_forfaits(TypeBareme.NUITEE)
        for etape in etapes:
            try:
                item = calculer_etape(etape, etat_frais.agent.rqth, politique, versions_repas, versions_nuitee)
            except calcul.ErreurCalcul as erreur:
                resultat.erreurs.append(str(erreur))
                item = None
            resultat.etapes.append((etape, item))
    # La mission telle qu'elle s'est déroulée : ses horaires réels bornent le stationnement pris en charge.
    mission = OrdreMission(type=TypeOrdre.PONCTUEL, depart_le=etat_frais.depart_le, retour_le=etat_frais.retour_le)
    calcul_frais = CalculOrdre(cumul_avant=ZERO)
    payes = [Frais(type=item.type, date=item.date, montant=item.montant) for item in frais]
    calculer_frais_ponctuels(mission, payes, politique, calcul_frais)
    resultat.frais = list(zip(frais, calcul_frais.frais, strict=True))
    return resultat


def _nature_frais(type_frais: str) -> str:
    return type_frais if type_frais in NatureLigne.values else NatureLigne.AUTRE


def lignes_declarees(etat_frais: EtatFrais, calcule: DeclarationCalculee) -> list[LigneEtatFrais]:
    """Les lignes d'étapes et de frais de l'EF d'après la déclaration (non enregistrées, sans position)."""
    lignes = []
    for etape, item in calcule.etapes:
        if item is None:
            continue
        libelle = f"{etape.libelle[:1].upper()}{etape.libelle[1:]} — {etape.commune.nom}"
        precision = MODES_COURTS[etape.mode] + (f" — {etape.commentaire}" if etape.commentaire else "")
        lignes.append(
            LigneEtatFrais(
                etat_frais=etat_frais,
                nature=NatureLigne.NUITEE if etape.est_nuitee else NatureLigne.REPAS,
                date=etape.date,
                libelle=libelle[:250],
                taux=item.taux,
                bareme=item.bareme[:300],
                commentaire=precision[:500],
                montant_initial=item.montant,
                montant=item.montant,
            )
        )
    for frais, item in calcule.frais:
        libelle = frais.get_type_display() + (f" : {frais.commentaire}" if frais.commentaire else "")
        lignes.append(
            LigneEtatFrais(
                etat_frais=etat_frais,
                nature=_nature_frais(frais.type),
                date=frais.date,
                libelle=libelle[:250],
                commentaire=item.explication[:500],
                montant_initial=item.montant,
                montant=item.montant,
            )
        )
    return lignes


def _cle(ligne: LigneEtatFrais) -> tuple:
    return (ligne.nature, ligne.date, ligne.libelle)


def ecrire_lignes(etat_frais: EtatFrais, calcule: DeclarationCalculee | None = None) -> DeclarationCalculee:
    """Les lignes de l'EF d'après la déclaration, et son total (somme exacte des lignes) ; à appeler dans la
    transaction qui a verrouillé l'EF.

    Les lignes d'IK (trajet vers la gare) restent celles de l'ordre validé. Une ligne qu'un ajustement du
    gestionnaire désigne (avant un rejet) n'est jamais supprimée : elle prend le montant déclaré de nouveau si elle
    figure encore dans la déclaration, 0 sinon ; l'ajustement reste dans l'historique.
    """
    calcule = calcule or calculer(etat_frais)
    anciennes = list(etat_frais.lignes.exclude(nature=NatureLigne.IK).annotate(nb_ajustements=Count("ajustements")))
    LigneEtatFrais.objects.filter(pk__in=[ligne.pk for ligne in anciennes if not ligne.nb_ajustements]).delete()
    etat_frais.lignes.update(position=F("position") + DECALAGE_POSITIONS)
    gardees = {_cle(ligne): ligne for ligne in anciennes if ligne.nb_ajustements}
    a_creer, a_mettre_a_jour = [], []
    for nouvelle in lignes_declarees(etat_frais, calcule):
        ancienne = gardees.pop(_cle(nouvelle), None)
        if ancienne is None:
            a_creer.append(nouvelle)
            continue
        for champ in ("taux", "bareme", "commentaire", "montant_initial", "montant"):
            setattr(ancienne, champ, getattr(nouvelle, champ))
        a_mettre_a_jour.append(ancienne)
    for retiree in gardees.values():
        retiree.montant_initial = retiree.montant = ZERO
        retiree.commentaire = "Ne figure plus dans la déclaration de l'agent."
        a_mettre_a_jour.append(retiree)
    toutes = list(etat_frais.lignes.filter(nature=NatureLigne.IK)) + a_mettre_a_jour + a_creer
    toutes.sort(key=lambda ligne: (ligne.nature != NatureLigne.IK, ligne.date, ligne.position or 0))
    for position, ligne in enumerate(toutes, start=1):
        ligne.position = position
    LigneEtatFrais.objects.bulk_update(
        [ligne for ligne in toutes if ligne.pk],
        ["position", "taux", "bareme", "commentaire", "montant_initial", "montant"],
    )
    LigneEtatFrais.objects.bulk_create(a_creer)
    etat_frais.montant_total = etat_frais.lignes.aggregate(total=Sum("montant"))["total"] or ZERO
    etat_frais.save(update_fields=["montant_total", "updated_at"])
    return calcule


# --- Contrôles avant soumission -----------------------------------------------------------------------------------------


def jours_reels(etat_frais: EtatFrais) -> tuple[datetime.date, datetime.date] | None:
    if etat_frais.depart_le is None or etat_frais.retour_le is None:
        return None
    return en_heure_locale(etat_frais.depart_le).date(), en_heure_locale(etat_frais.retour_le).date()


def _demande_justificatif(calcule: DeclarationCalculee) -> list[str]:
    """Ce qui se paie sur justificatif : repas à taux plein, nuitée sur facture, frais au réel."""
    libelles = [
        etape.libelle
        for etape, item in calcule.etapes
        if item is not None and item.montant > 0 and etape.mode in (ModeEtape.PLEIN, ModeEtape.PAYANTE)
    ]
    libelles += [str(frais).lower() for frais, item in calcule.frais if item.montant > 0]
    return libelles


def controles(etat_frais: EtatFrais, calcule: DeclarationCalculee, nb_justificatifs: int) -> list[str]:
    """Les points qui empêchent de soumettre la déclaration, en français."""
    messages = []
    jours = jours_reels(etat_frais)
    if jours is None:
        messages.append("Indiquez la date et l'heure réelles du départ et du retour.")
    else:
        hors = [frais for frais, _ in calcule.frais if not jours[0] <= frais.date <= jours[1]]
        if hors:
            messages.append(
                f"{len(hors)} frais ne tombe{'nt' if len(hors) > 1 else ''} pas pendant la mission réelle "
                f"(du {jours[0]:%d/%m/%Y} au {jours[1]:%d/%m/%Y}) : corrigez leur date ou supprimez-les."
            )
    messages.extend(calcule.erreurs)
    a_justifier = _demande_justificatif(calcule)
    if a_justifier and not nb_justificatifs:
        messages.append(
            "Joignez vos justificatifs (factures, tickets, reçus) : "
            f"{', '.join(a_justifier[:3])}{' …' if len(a_justifier) > 3 else ''} se paie{'nt' if len(a_justifier) > 1 else ''} sur justificatif."
        )
    return messages


def controles_a_la_soumission(etat_frais: EtatFrais) -> tuple[DeclarationCalculee, list[str]]:
    """Appelée par `validation.etats_frais.soumettre`, EF verrouillé : le calcul et ce qui bloque."""
    calcule = calculer(etat_frais)
    return calcule, controles(etat_frais, calcule, etat_frais.justificatifs.count())


# --- Horaires réels et étapes -------------------------------------------------------------------------------------------


def _date_fr(moment: datetime.datetime) -> str:
    local = en_heure_locale(moment)
    return f"{calcul.date_fr(local.date())} à {calcul.heure_fr(local)}"


def modifier_horaires(
    *, etat_frais: EtatFrais, par, depart_le: datetime.datetime, retour_le: datetime.datetime
) -> Regeneration:
    """Les horaires réels de départ et de retour ; les étapes de l'EF sont régénérées (lieux de l'ordre), les choix
    de l'agent gardés tant qu'ils s'appliquent, et le rapport dit ce qui a changé."""
    if retour_le <= depart_le:
        raise ValidationError({"retour_le": f"Le retour doit suivre le départ ({_date_fr(depart_le)})."})
    with transaction.atomic():
        etat_frais = _verrouiller(etat_frais, par)
        etat_frais.depart_le, etat_frais.retour_le = depart_le, retour_le
        etat_frais.save(update_fields=["depart_le", "retour_le", "updated_at"])
        dues, motifs, bornes = etapes_dues_pour(etat_frais.ordre, (depart_le, retour_le))
        rapport, a_creer = synchroniser_etapes(
            etat_frais.etapes.select_related("commune"),
            dues,
            motifs,
            bornes,
            lambda due: EtapeEtatFrais(
                etat_frais=etat_frais, type=due.type, date=due.date, commune=due.commune, mode=mode_propose(due.type)
            ),
        )
        EtapeEtatFrais.objects.bulk_create(a_creer)
        ecrire_lignes(etat_frais)
    return rapport


def modifier_etape(*, etape: EtapeEtatFrais, par, mode: str, commentaire: str = "") -> EtapeEtatFrais:
    """Comment l'agent a réellement pris ce repas ou cette nuitée ; le choix survit aux changements d'horaires."""
    with transaction.atomic():
        etat_frais = _verrouiller(etape.etat_frais, par)
        etape = EtapeEtatFrais.objects.select_for_update().get(pk=etape.pk, etat_frais=etat_frais)
        permis = MODES_NUITEE if etape.est_nuitee else MODES_REPAS
        if mode not in permis:
            raise ValidationError({"mode": f"Ce choix ne convient pas à ce {etape.libelle}."})
        etape.mode = mode
        etape.commentaire = (commentaire or "").strip()
        etape.ajuste = mode != etape.mode_par_defaut or bool(etape.commentaire)
        etape.full_clean(exclude=["etat_frais", "commune"])
        etape.save(update_fields=["mode", "commentaire", "ajuste"])
        ecrire_lignes(etat_frais)
    return etape


# --- Frais réels ------------------------------------------------------------------------------------------------------


def enregistrer_frais(
    *, etat_frais: EtatFrais, par, donnees: dict, frais: FraisEtatFrais | None = None
) -> FraisEtatFrais:
    """Un frais réellement payé : train payé par l'agent (sauf billets achetés par l'agence), ticket de bus ou de
    métro (au plus `tickets_par_jour` par jour), stationnement (plafonné au calcul), péage ; un jour de la mission
    réelle."""
    with transaction.atomic():
        etat_frais = _verrouiller(etat_frais, par)
        politique = PolitiqueVoyage.courante()
        if frais is not None:
            frais = FraisEtatFrais.objects.select_for_update().get(pk=frais.pk, etat_frais=etat_frais)
        else:
            frais = FraisEtatFrais(etat_frais=etat_frais)
        type_frais, jour = donnees["type"], donnees["date"]
        if type_frais not in FRAIS_PONCTUEL:
            raise ValidationError(
                {"type": "Choisissez un train, un ticket de bus ou de métro, un stationnement ou un péage."}
            )
        jours = jours_reels(etat_frais)
        if jours and not jours[0] <= jour <= jours[1]:
            raise ValidationError(
                {"date": f"Choisissez un jour de la mission réelle, du {jours[0]:%d/%m/%Y} au {jours[1]:%d/%m/%Y}."}
            )
        if type_frais == TypeFrais.TRAIN and etat_frais.ordre.demande_billets:
            raise ValidationError(
                {
                    "type": "Vos billets ont été achetés par l'agence de voyage : ils ne vous sont pas remboursés, "
                    "ne les déclarez pas."
                }
            )
        if type_frais == TypeFrais.TRANSPORT_PUBLIC:
            deja = (
                etat_frais.frais_reels.filter(type=TypeFrais.TRANSPORT_PUBLIC, date=jour).exclude(pk=frais.pk).count()
            )
            if deja >= politique.tickets_par_jour:
                raise ValidationError(
                    {
                        "date": f"Au plus {politique.tickets_par_jour} tickets de bus ou de métro par jour de mission : "
                        f"le {calcul.date_fr(jour)} en compte déjà {deja}."
                    }
                )
        if donnees.get("montant") is None:
            raise ValidationError({"montant": "Indiquez le montant payé, en euros."})
        frais.type, frais.date, frais.montant = type_frais, jour, donnees["montant"]
        frais.commentaire = (donnees.get("commentaire") or "").strip()
        frais.full_clean(exclude=["etat_frais", "frais_prevu"])
        frais.save()
        ecrire_lignes(etat_frais)
    return frais


def supprimer_frais(*, frais: FraisEtatFrais, par) -> None:
    with transaction.atomic():
        etat_frais = _verrouiller(frais.etat_frais, par)
        FraisEtatFrais.objects.filter(pk=frais.pk, etat_frais=etat_frais).delete()
        ecrire_lignes(etat_frais)


# --- Justificatifs ----------------------------------------------------------------------------------------------------


def joindre_justificatif(*, etat_frais: EtatFrais, par, libelle: str, fichier) -> JustificatifEtatFrais:
    """Un justificatif (PDF, JPEG ou PNG reconnu à ses octets, taille limitée) ; rien n'est gardé si un contrôle
    échoue, pas même le fichier."""
    libelle = (libelle or "").strip()
    erreurs = {}
    if not libelle:
        erreurs["libelle"] = "Dites ce que justifie ce fichier, par exemple « facture de l'hôtel »."
    if not fichier:
        erreurs["fichier"] = "Choisissez le fichier du justificatif."
    else:
        try:
            format_depot = fichiers.verifier_justificatif(fichier)
        except ValidationError as exc:
            erreurs["fichier"] = exc.messages
    if erreurs:
        raise ValidationError(erreurs)
    with transaction.atomic():
        etat_frais = _verrouiller(etat_frais, par)
        justificatif = JustificatifEtatFrais(etat_frais=etat_frais, libelle=libelle[:250], depose_par=par)
        justificatif.fichier.save(f"{uuid.uuid4().hex}.{format_depot.extension}", fichier, save=False)
        try:
            justificatif.save()
        except Exception:
            justificatif.fichier.storage.delete(justificatif.fichier.name)
            raise
    return justificatif


def supprimer_justificatif(*, justificatif: JustificatifEtatFrais, par) -> None:
    with transaction.atomic():
        etat_frais = _verrouiller(justificatif.etat_frais, par)
        justificatif = JustificatifEtatFrais.objects.get(pk=justificatif.pk, etat_frais=etat_frais)
        storage, nom = justificatif.fichier.storage, justificatif.fichier.name
        justificatif.delete()
        transaction.on_commit(lambda: storage.delete(nom))


# --- La partie « déclaration » de la page d'un EF -----------------------------------------------------------------------


def page_declaration(etat_frais: EtatFrais, user) -> dict:
    """Tout ce que montre `templates/validation/ef/includes/declaration.html`, en un nombre de requêtes constant."""
    ordre = etat_frais.ordre
    calcule = calculer(etat_frais)
    justificatifs = list(etat_frais.justificatifs.order_by("created_at", "pk"))
    billets = list(
        Billet.objects.filter(demande__ordre=ordre).select_related("demande").order_by("demande__date", "created_at")
    )
    declarable = peut_declarer(user, etat_frais)
    return {
        "depart": en_heure_locale(etat_frais.depart_le) if etat_frais.depart_le else None,
        "retour": en_heure_locale(etat_frais.retour_le) if etat_frais.retour_le else None,
        "depart_prevu": en_heure_locale(ordre.depart_le) if ordre.depart_le else None,
        "retour_prevu": en_heure_locale(ordre.retour_le) if ordre.retour_le else None,
        "etapes": [
            {"etape": etape, "calcul": item, "mode": MODES_COURTS[etape.mode]} for etape, item in calcule.etapes
        ],
        "frais": [
            {"frais": frais, "calcul": item, "nature": NATURES_FRAIS.get(frais.type, frais.get_type_display())}
            for frais, item in calcule.frais
        ],
        "justificatifs": justificatifs,
        "billets": billets,
        "cout_billets": sum((billet.cout for billet in billets), ZERO),
        "calcul": calcule,
        "controles": controles(etat_frais, calcule, len(justificatifs)) if declarable else [],
        "peut_declarer": declarable,
    }
