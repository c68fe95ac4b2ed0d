"""Chaque modèle du projet a sa fabrique (factory-boy) : les tests en créent sans dupliquer de données à la main."""

import importlib
import pkgutil

import factory
from django.apps import apps
from django.db import transaction

import tests

APPLICATIONS = ("agents", "bareme", "missions", "validation")


def fabriques() -> set:
    return {fabrique._meta.model for fabrique in classes_de_fabriques()}


def test_chaque_modele_a_sa_fabrique():
    modeles = {modele for nom in APPLICATIONS for modele in apps.get_app_config(nom).get_models()}
    sans_fabrique = sorted(f"{m._meta.app_label}.{m.__name__}" for m in modeles - fabriques())
    assert sans_fabrique == []


def classes_de_fabriques():
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        if module.name.endswith(".factories"):
            for objet in vars(importlib.import_module(module.name)).values():
                est_fabrique = isinstance(objet, type) and issubclass(objet, factory.django.DjangoModelFactory)
                if est_fabrique and objet._meta.model and objet.__module__ == module.name:
                    yield objet


def test_chaque_fabrique_cree_un_objet_valide_en_base(db):
    """Une fabrique qui ne sait plus créer son objet (contrainte, champ obligatoire) casse ici, pas au hasard ailleurs."""
    for fabrique in classes_de_fabriques():
        with transaction.atomic():  # chaque fabrique seule, comme dans un test
            assert fabrique().pk is not None, fabrique.__name__
            transaction.set_rollback(True)
