//! The signature pad: a canvas the substitute signs on with a finger, a
//! glove or a pen. Strokes are kept as vectors (points as fractions of the
//! pad's width, with times), so a resize or a rotation redraws them instead
//! of wiping them, and the PNG for the declaration is drawn from them at a
//! fixed size. Pointer events (coalesced where the engine has them) draw
//! each new segment at once; the line is smoothed (quadratic curves through
//! the midpoints) and grows thinner as the pen moves faster.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use omsorg_core::bridge::{PadPoint, PadStroke};
use omsorg_core::signature::{next_width, MAX_WIDTH};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};
use yew::prelude::*;

use crate::i18n::{t, Lang, Msg};

/// The pad's height as a share of its width.
pub const ASPECT: f64 = 1.0 / 3.0;
pub use omsorg_core::signature::EXPORT_WIDTH;
/// How many pointer-move timings are kept for the benchmark.
const TIMINGS_KEPT: u32 = 20_000;

fn mid(a: &PadPoint, b: &PadPoint) -> (f64, f64) {
    (f64::from(a.x + b.x) / 2.0, f64::from(a.y + b.y) / 2.0)
}

/// Draws segment `i` of `points` (from the midpoint before point `i - 1`
/// to the one after it) at `width`; `scale` is the pad's width in the
/// context's units, `ink` multiplies the line width.
fn draw_segment(
    ctx: &CanvasRenderingContext2d,
    points: &[PadPoint],
    i: usize,
    width: f64,
    scale: f64,
    ink: f64,
) {
    let p = |q: (f64, f64)| (q.0 * scale, q.1 * scale);
    let (start, control, end) = if i == 1 {
        let a = &points[0];
        (
            p((f64::from(a.x), f64::from(a.y))),
            p((f64::from(a.x), f64::from(a.y))),
            p(mid(&points[0], &points[1])),
        )
    } else {
        let c = &points[i - 1];
        (
            p(mid(&points[i - 2], &points[i - 1])),
            p((f64::from(c.x), f64::from(c.y))),
            p(mid(&points[i - 1], &points[i])),
        )
    };
    ctx.begin_path();
    ctx.move_to(start.0, start.1);
    ctx.quadratic_curve_to(control.0, control.1, end.0, end.1);
    ctx.set_line_width(width * ink * scale / 450.0);
    ctx.stroke();
}

fn draw_dot(ctx: &CanvasRenderingContext2d, point: &PadPoint, scale: f64, ink: f64) {
    ctx.begin_path();
    let r = MAX_WIDTH / 2.0 * ink * scale / 450.0;
    let _ = ctx.arc(
        f64::from(point.x) * scale,
        f64::from(point.y) * scale,
        r,
        0.0,
        std::f64::consts::TAU,
    );
    ctx.fill();
}

/// Draws whole strokes; the same widths as when they were drawn live.
pub fn draw_strokes(ctx: &CanvasRenderingContext2d, strokes: &[PadStroke], scale: f64, ink: f64) {
    prepare(ctx);
    for stroke in strokes {
        let points = &stroke.points;
        match points.len() {
            0 => {}
            1 => draw_dot(ctx, &points[0], scale, ink),
            _ => {
                let mut width = MAX_WIDTH;
                for i in 1..points.len() {
                    width = next_width(width, &points[i - 1], &points[i]);
                    draw_segment(ctx, points, i, width, scale, ink);
                }
            }
        }
    }
}

fn prepare(ctx: &CanvasRenderingContext2d) {
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    ctx.set_stroke_style_str("#14205a");
    ctx.set_fill_style_str("#14205a");
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// The signature as a PNG (base64, no data-URL prefix), drawn from the
/// strokes at 900 × 300 px on a transparent background.
pub fn export_png(strokes: &[PadStroke]) -> Option<String> {
    let canvas: HtmlCanvasElement = gloo::utils::document()
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    let width = EXPORT_WIDTH;
    canvas.set_width(width);
    canvas.set_height((f64::from(width) * ASPECT) as u32);
    let ctx = context(&canvas)?;
    draw_strokes(&ctx, strokes, f64::from(width), 1.0);
    let url = canvas.to_data_url().ok()?;
    url.strip_prefix("data:image/png;base64,")
        .map(str::to_string)
}

/// Sizes the canvas to its box at the device's pixel ratio and draws the
/// strokes again. Returns the box's width in CSS pixels.
fn fit_and_redraw(canvas: &HtmlCanvasElement, strokes: &[PadStroke]) -> f64 {
    let rect = canvas.get_bounding_client_rect();
    let ratio = gloo::utils::window().device_pixel_ratio().max(1.0);
    let (w, h) = (rect.width(), rect.width() * ASPECT);
    canvas.set_width((w * ratio).round() as u32);
    canvas.set_height((h * ratio).round() as u32);
    if let Some(ctx) = context(canvas) {
        let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, w, h);
        draw_strokes(&ctx, strokes, w, 1.0);
    }
    w
}

/// The stroke being drawn, and its current line width.
#[derive(Default)]
struct Live {
    stroke: Option<PadStroke>,
    width: f64,
    pointer: Option<i32>,
}

fn point_of(canvas: &HtmlCanvasElement, e: &PointerEvent) -> PadPoint {
    let rect = canvas.get_bounding_client_rect();
    let w = rect.width().max(1.0);
    PadPoint {
        x: ((f64::from(e.client_x()) - rect.left()) / w) as f32,
        y: ((f64::from(e.client_y()) - rect.top()) / w) as f32,
        t: e.time_stamp(),
    }
}

/// Appends a pointer-move's time to `window.__omsorgPadTimings` (ms), which
/// the pad benchmark reads. Numbers only; nothing of the signature.
fn record_timing(ms: f64) {
    let window = gloo::utils::window();
    let key = JsValue::from_str("__omsorgPadTimings");
    let list = js_sys::Reflect::get(&window, &key)
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_else(|| {
            let list = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&window, &key, &list);
            list
        });
    if list.length() < TIMINGS_KEPT {
        list.push(&JsValue::from_f64(ms));
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub strokes: Vec<PadStroke>,
    pub on_change: Callback<Vec<PadStroke>>,
}

#[function_component]
pub fn SignaturePad(props: &Props) -> Html {
    let lang = props.lang;
    let canvas = use_node_ref();
    let live = use_mut_ref(Live::default);
    let strokes = use_mut_ref(Vec::<PadStroke>::new);
    *strokes.borrow_mut() = props.strokes.clone();

    // Undo, clear, a restored draft: draw what the strokes are now.
    {
        let canvas = canvas.clone();
        use_effect_with(props.strokes.clone(), move |s| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                fit_and_redraw(&c, s);
            }
        });
    }
    {
        let (canvas, live, strokes) = (canvas.clone(), live.clone(), strokes.clone());
        let on_change = props.on_change.clone();
        use_effect_with((), move |_| {
            let mut listeners = Vec::new();
            if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                let options = EventListenerOptions::enable_prevent_default();
                listeners.push(down_listener(&el, options, &live));
                listeners.push(move_listener(&el, options, &live));
                for kind in ["pointerup", "pointercancel"] {
                    let (live, strokes, on_change) =
                        (live.clone(), strokes.clone(), on_change.clone());
                    listeners.push(EventListener::new_with_options(
                        &el,
                        kind,
                        options,
                        move |e| {
                            e.prevent_default();
                            let finished = live.borrow_mut().stroke.take();
                            live.borrow_mut().pointer = None;
                            if let Some(stroke) = finished.filter(|s| !s.points.is_empty()) {
                                let mut all = strokes.borrow().clone();
                                all.push(stroke);
                                on_change.emit(all);
                            }
                        },
                    ));
                }
                // A rotation or a resized window: same strokes, new size.
                for kind in ["resize", "orientationchange"] {
                    let (el, strokes) = (el.clone(), strokes.clone());
                    listeners.push(EventListener::new(
                        &gloo::utils::window(),
                        kind,
                        move |_| {
                            fit_and_redraw(&el, &strokes.borrow());
                        },
                    ));
                }
                fit_and_redraw(&el, &strokes.borrow());
            }
            move || drop(listeners)
        });
    }

    let undo = {
        let (strokes, on_change) = (props.strokes.clone(), props.on_change.clone());
        Callback::from(move |_: MouseEvent| {
            let mut s = strokes.clone();
            s.pop();
            on_change.emit(s);
        })
    };
    let clear = props.on_change.reform(|_: MouseEvent| Vec::new());
    let empty = props.strokes.is_empty();
    html! {
        <div class="signature">
            <canvas ref={canvas} id="signature-pad" class="signature-pad" role="img"
                aria-label={t(lang, Msg::SignatureArea)}></canvas>
            <p class="signature-line" aria-hidden="true">{ t(lang, Msg::SignHere) }</p>
            <div class="menu">
                <button id="signature-undo" onclick={undo} disabled={empty}>{ t(lang, Msg::Undo) }</button>
                <button id="signature-clear" onclick={clear} disabled={empty}>{ t(lang, Msg::Clear) }</button>
            </div>
        </div>
    }
}

fn down_listener(
    el: &HtmlCanvasElement,
    options: EventListenerOptions,
    live: &Rc<RefCell<Live>>,
) -> EventListener {
    let (canvas, live) = (el.clone(), live.clone());
    EventListener::new_with_options(el, "pointerdown", options, move |e| {
        let Some(e) = e.dyn_ref::<PointerEvent>() else {
            return;
        };
        e.prevent_default();
        let _ = canvas.set_pointer_capture(e.pointer_id());
        let point = point_of(&canvas, e);
        let w = canvas.get_bounding_client_rect().width();
        if let Some(ctx) = context(&canvas) {
            prepare(&ctx);
            draw_dot(&ctx, &point, w, 1.0);
        }
        *live.borrow_mut() = Live {
            stroke: Some(PadStroke {
                points: vec![point],
            }),
            width: MAX_WIDTH,
            pointer: Some(e.pointer_id()),
        };
    })
}

fn move_listener(
    el: &HtmlCanvasElement,
    options: EventListenerOptions,
    live: &Rc<RefCell<Live>>,
) -> EventListener {
    let (canvas, live) = (el.clone(), live.clone());
    EventListener::new_with_options(el, "pointermove", options, move |e| {
        let started = js_sys::Date::now();
        let perf = gloo::utils::window().performance();
        let t0 = perf.as_ref().map_or(started, |p| p.now());
        let Some(e) = e.dyn_ref::<PointerEvent>() else {
            return;
        };
        let mut live = live.borrow_mut();
        if live.pointer != Some(e.pointer_id()) {
            return;
        }
        e.prevent_default();
        // Every sample the engine merged into this event, in order.
        let coalesced = e.get_coalesced_events();
        let events: Vec<PointerEvent> = if coalesced.length() > 0 {
            coalesced
                .iter()
                .filter_map(|v| v.dyn_into::<PointerEvent>().ok())
                .collect()
        } else {
            vec![e.clone()]
        };
        let w = canvas.get_bounding_client_rect().width();
        let Some(ctx) = context(&canvas) else {
            return;
        };
        prepare(&ctx);
        let Live { stroke, width, .. } = &mut *live;
        if let Some(stroke) = stroke {
            for sample in &events {
                let point = point_of(&canvas, sample);
                let last = stroke.points[stroke.points.len() - 1];
                if last.x == point.x && last.y == point.y {
                    continue;
                }
                stroke.points.push(point);
                let i = stroke.points.len() - 1;
                *width = next_width(*width, &stroke.points[i - 1], &stroke.points[i]);
                draw_segment(&ctx, &stroke.points, i, *width, w, 1.0);
            }
        }
        let t1 = perf.as_ref().map_or_else(js_sys::Date::now, |p| p.now());
        record_timing(t1 - t0);
    })
}
