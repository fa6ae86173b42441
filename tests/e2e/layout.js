// The layout checks of one screen, run in the app window over WebDriver:
// horizontal scrolling, text clipped or sticking out of its box, text over
// other text or over a control it is not part of, and touch targets under
// 48 x 48 CSS px. Returns a list of failures (empty: the screen is right)
// and a few measures for the caller.
const checkTargets = arguments[0];
const W = document.documentElement.clientWidth;
const fails = [];
const slack = 1.5;

function hidden(el) {
  for (let e = el; e; e = e.parentElement) {
    if (e.classList && e.classList.contains('visually-hidden')) return true;
    if (e.getAttribute && e.getAttribute('aria-hidden') === 'true') return true;
  }
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return s.display === 'none' || s.visibility === 'hidden' || r.width === 0 || r.height === 0;
}
function describe(el) {
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
  const name = el.id ? '#' + el.id : el.tagName.toLowerCase() + [...el.classList].map((c) => '.' + c).join('');
  return `${name} "${text.slice(0, 40)}"`;
}
function size(r) {
  return `${Math.round(r.width)}x${Math.round(r.height)} at (${Math.round(r.left)},${Math.round(r.top)})`;
}
function within(inner, outer) {
  return inner.left >= outer.left - slack && inner.right <= outer.right + slack &&
    inner.top >= outer.top - slack && inner.bottom <= outer.bottom + slack;
}
function overlap(a, b) {
  const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return x > 2 && y > 2;
}

function shownPart(r, el) {
  let box = { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const c = a.getBoundingClientRect();
    box = {
      left: Math.max(box.left, c.left), right: Math.min(box.right, c.right),
      top: Math.max(box.top, c.top), bottom: Math.min(box.bottom, c.bottom),
    };
  }
  const width = box.right - box.left, height = box.bottom - box.top;
  return width > 0.5 && height > 0.5 ? { ...box, width, height } : null;
}

const scrollWidth = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
if (scrollWidth > W + 1) {
  // Name the outermost elements that reach past the window's edge.
  const wide = [...document.querySelectorAll('body *')]
    .map((el) => [el, Math.max(el.getBoundingClientRect().right, el.getBoundingClientRect().left + el.scrollWidth)])
    .filter(([, right]) => right > W + 1)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([el]) => el)
    .map((el) => `${describe(el)} ${size(el.getBoundingClientRect())}`);
  fails.push(`horizontal scrolling: content ${scrollWidth} px wide in a ${W} px window (${wide.join('; ')})`);
}

const controls = [...document.querySelectorAll(
  'button, a[href], input:not([type=hidden]), select, textarea, [role=button], [tabindex]:not([tabindex="-1"])'
)].filter((el) => !hidden(el));
if (checkTargets) {
  for (const el of controls) {
    let r = el.getBoundingClientRect();
    const label = el.closest('label');
    if ((el.type === 'checkbox' || el.type === 'radio') && label) r = label.getBoundingClientRect();
    if (r.width < 48 - 0.5 || r.height < 48 - 0.5) fails.push(`touch target under 48 x 48: ${describe(el)} ${size(r)}`);
  }
}
for (const el of controls) {
  const r = el.getBoundingClientRect();
  if (r.right > W + slack || r.left < -slack) fails.push(`control outside the window: ${describe(el)} ${size(r)}`);
}

// Every piece of text: its line boxes, and the element that holds it.
const texts = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (!node.textContent.trim()) continue;
  const el = node.parentElement;
  if (!el || hidden(el) || el.closest('option, script, style')) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  // What can be seen of each line: a scroll box (the declaration's text)
  // hides the lines scrolled out of it, which are then no line on screen.
  const rects = [...range.getClientRects()].map((r) => shownPart(r, el)).filter(Boolean);
  texts.push({ el, rects, text: node.textContent.trim().slice(0, 40) });
}
for (const { el, rects, text } of texts) {
  const s = getComputedStyle(el);
  const clips = (v) => v === 'hidden' || v === 'clip';
  if ((clips(s.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
      (clips(s.overflowY) && el.scrollHeight > el.clientHeight + 1) ||
      (s.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth)) {
    fails.push(`clipped text: ${describe(el)}`);
  }
  // Text must stay inside the box that holds it (the nearest block or control).
  let box = el;
  while (box.parentElement && getComputedStyle(box).display.startsWith('inline') &&
         !box.matches('button, input, select, a')) {
    box = box.parentElement;
  }
  const boxRect = box.getBoundingClientRect();
  for (const r of rects) {
    if (r.right > W + slack || r.left < -slack) {
      fails.push(`text outside the window: "${text}" ${size(r)}`);
    } else if (!within(r, boxRect) && !clips(getComputedStyle(box).overflowY)) {
      fails.push(`text sticking out of its box: "${text}" ${size(r)} in ${describe(box)} ${size(boxRect)}`);
    }
  }
}
// Text over other text, or over a control it is not part of.
for (let i = 0; i < texts.length; i++) {
  for (let j = i + 1; j < texts.length; j++) {
    const a = texts[i], b = texts[j];
    if (a.rects.some((ra) => b.rects.some((rb) => overlap(ra, rb)))) {
      fails.push(`overlapping text: "${a.text}" and "${b.text}"`);
    }
  }
}
for (const c of controls) {
  const cr = c.getBoundingClientRect();
  for (const { el, rects, text } of texts) {
    if (c.contains(el) || el.contains(c) || (c.labels && [...c.labels].some((l) => l.contains(el)))) continue;
    if (rects.some((r) => overlap(r, cr))) fails.push(`text over a control: "${text}" over ${describe(c)}`);
  }
}

const key = document.querySelector('.keypad .key');
return {
  fails: [...new Set(fails)],
  rootFontPx: parseFloat(getComputedStyle(document.documentElement).fontSize),
  keyHeight: key ? key.getBoundingClientRect().height : null,
  width: W,
  height: document.documentElement.clientHeight,
};
