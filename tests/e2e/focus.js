// Keyboard use of one screen. arguments[0] = "list": the controls Tab
// should reach, in document order (a positive tabindex would reorder them,
// and counts as a failure: it is listed as "tabindex>0"). "active": the
// control that has the focus now, and whether its focus can be seen.
function key(el) {
  if (el.id) return '#' + el.id;
  const parent = el.parentElement;
  const index = parent ? [...parent.children].indexOf(el) : 0;
  return (parent ? key(parent) + ' > ' : '') + el.tagName.toLowerCase() + ':' + index;
}
function shown(el) {
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.closest('[hidden], [inert]');
}
if (arguments[0] === 'list') {
  return [...document.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea, [tabindex]')]
    .filter((el) => !el.disabled && el.tabIndex >= 0 && shown(el))
    .map((el) => (el.tabIndex > 0 ? 'tabindex>0 ' : '') + key(el));
}
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return { id: null };
const s = getComputedStyle(el);
const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
const ring = s.boxShadow && s.boxShadow !== 'none';
return {
  id: key(el),
  problem: outline || ring ? null : `no visible focus on ${key(el)} (outline ${s.outlineStyle} ${s.outlineWidth})`,
};
