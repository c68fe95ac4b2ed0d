// Un tableau plus large que l'écran défile : il doit alors pouvoir recevoir le focus au clavier (RGAA, WCAG 2.1.1).
// Le DSFR enveloppe ses tableaux après le chargement : on repasse après lui.
const ZONES_DEFILABLES = ".fr-table__wrapper, .fr-table__container, .fr-table__shadow, .fr-table__content";

function rendreDefilablesFocalisables(racine) {
  racine.querySelectorAll(ZONES_DEFILABLES).forEach((zone) => {
    const style = window.getComputedStyle(zone);
    const defile = /(auto|scroll)/.test(style.overflowX + style.overflowY);
    if (defile && (zone.scrollWidth > zone.clientWidth || zone.scrollHeight > zone.clientHeight)) {
      zone.tabIndex = 0;
    }
  });
}
window.addEventListener("load", () => {
  rendreDefilablesFocalisables(document);
  window.setTimeout(() => rendreDefilablesFocalisables(document), 300);
});
document.addEventListener("htmx:afterSettle", (evenement) => rendreDefilablesFocalisables(evenement.target));
window.addEventListener("resize", () => rendreDefilablesFocalisables(document));
