"""Lecture des fichiers de référence de `data/bareme/` : l'historique officiel des barèmes, leurs textes, le Grand Paris.

- `ik.csv` : une ligne par classe de véhicule et tranche de kilomètres, avec ses dates de validité ;
- `missions.csv` : repas et nuitées par zone, avec leurs dates de validité ;
- `textes.csv` : la référence, le titre, la date, la publication au Journal officiel et le lien de chaque texte ;
- `grand_paris.csv` : les communes de la Métropole du Grand Paris (décret 2015-1212).

Ce module ne touche pas à la base : la commande `charger_baremes` l'utilise pour écrire, le banc d'essai
`benchmarks/ik.py` et les tests pour lire les taux sans base.
"""

import csv
import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bareme import calcul
from bareme.enums import TYPE_PAR_VEHICULE, TypeBareme

# Le texte de 2019 fixe un montant minimal de 10 € (par mois) pour les vélomoteurs et autres véhicules à moteur ;
# le texte de 2022 ne change que les taux, le minimum reste.
MINIMUM_VELOMOTEUR = Decimal("10.00")
TYPE_PAR_INDEMNITE = {"repas": TypeBareme.REPAS, "nuitee": TypeBareme.NUITEE}


def dossier_par_defaut() -> Path:
    from django.conf import settings

    return Path(settings.REFERENCE_DATA_DIR) / "bareme"


@dataclass(frozen=True)
class Texte:
    code: str
    reference: str
    titre: str
    date_texte: datetime.date
    date_publication: datetime.date | None
    lien: str


@dataclass(frozen=True)
class VersionReference:
    type: str
    date_debut: datetime.date
    date_fin: datetime.date | None
    texte_code: str
    taux_ik: tuple[tuple[str, int, int | None, Decimal], ...] = ()  # (classe, km_min, km_max, taux)
    taux_mission: tuple[tuple[str, Decimal], ...] = ()  # (zone, montant)
    montant_minimum: Decimal | None = None


def _date(texte: str) -> datetime.date | None:
    return datetime.date.fromisoformat(texte) if texte.strip() else None


def _lire(chemin: Path) -> list[dict[str, str]]:
    with chemin.open(encoding="utf-8", newline="") as fichier:
        return list(csv.DictReader(fichier))


def lire_textes(dossier: Path | None = None) -> dict[str, Texte]:
    dossier = dossier or dossier_par_defaut()
    return {
        ligne["code"]: Texte(
            code=ligne["code"],
            reference=ligne["reference"],
            titre=ligne["titre"],
            date_texte=_date(ligne["date_texte"]),
            date_publication=_date(ligne["date_publication"]),
            lien=ligne["lien"],
        )
        for ligne in _lire(dossier / "textes.csv")
    }


def lire_versions(dossier: Path | None = None) -> list[VersionReference]:
    """Les versions de `ik.csv` et `missions.csv`, regroupées par (type, période, texte), dans l'ordre des dates."""
    dossier = dossier or dossier_par_defaut()
    groupes: dict[tuple, list] = {}
    for ligne in _lire(dossier / "ik.csv"):
        cle = (TYPE_PAR_VEHICULE[ligne["vehicule"]], ligne["date_debut"], ligne["date_fin"], ligne["texte"])
        km_max = ligne["tranche_km_max"].strip()
        groupes.setdefault(cle, []).append(
            (
                ligne["classe"],
                int(ligne["tranche_km_min"]),
                int(km_max) if km_max else None,
                Decimal(ligne["taux_euro_km"]),
            )
        )
    for ligne in _lire(dossier / "missions.csv"):
        cle = (TYPE_PAR_INDEMNITE[ligne["indemnite"]], ligne["date_debut"], ligne["date_fin"], ligne["texte"])
        groupes.setdefault(cle, []).append((ligne["zone"], Decimal(ligne["taux_euro"])))
    versions = []
    for (type_, debut, fin, texte), lignes in groupes.items():
        est_ik = type_ in (TypeBareme.IK_VOITURE, TypeBareme.IK_MOTOCYCLETTE, TypeBareme.IK_VELOMOTEUR)
        versions.append(
            VersionReference(
                type=type_,
                date_debut=_date(debut),
                date_fin=_date(fin),
                texte_code=texte,
                taux_ik=tuple(lignes) if est_ik else (),
                taux_mission=() if est_ik else tuple(lignes),
                montant_minimum=MINIMUM_VELOMOTEUR if type_ == TypeBareme.IK_VELOMOTEUR else None,
            )
        )
    return sorted(versions, key=lambda version: (version.type, version.date_debut))


def lire_grand_paris(dossier: Path | None = None) -> calcul.PerimetreGrandParis:
    dossier = dossier or dossier_par_defaut()
    return calcul.PerimetreGrandParis.depuis_lignes(_lire(dossier / "grand_paris.csv"))


def versions_ik_calcul(dossier: Path | None = None) -> list[calcul.VersionIK]:
    """Les versions IK des fichiers, prêtes pour `calcul` (sans base de données : banc d'essai, tests)."""
    textes = lire_textes(dossier)
    resultat = []
    for version in lire_versions(dossier):
        if not version.taux_ik:
            continue
        tranches: dict[str, list[calcul.Tranche]] = {}
        for classe, km_min, km_max, taux in sorted(version.taux_ik, key=lambda ligne: (ligne[0], ligne[1])):
            tranches.setdefault(classe, []).append(calcul.Tranche.depuis_bornes(km_min, km_max, taux))
        texte = textes[version.texte_code]
        resultat.append(
            calcul.VersionIK(
                libelle=f"{TypeBareme(version.type).label} — {texte.reference}",
                date_debut=version.date_debut,
                date_fin=version.date_fin,
                tranches={classe: tuple(liste) for classe, liste in tranches.items()},
                minimum=version.montant_minimum,
                date_publication=texte.date_publication,
            )
        )
    return resultat
