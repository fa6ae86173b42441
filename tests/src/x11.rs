//! What the X server knows of the app's window, read the way a window
//! manager would (for the kiosk test): its size, whether it asked for
//! decorations, and a close request like Alt+F4 under a window manager.

use std::ffi::{CStr, CString};
use std::os::raw::{c_int, c_long, c_uchar, c_uint, c_ulong};
use std::ptr;

use anyhow::{anyhow, bail, Result};
use x11_dl::xlib::{self, Xlib};

unsafe extern "C" fn ignore_error(_: *mut xlib::Display, _: *mut xlib::XErrorEvent) -> c_int {
    0
}

pub struct Display {
    lib: Xlib,
    dpy: *mut xlib::Display,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    pub width: u32,
    pub height: u32,
}

impl Display {
    pub fn open(name: &str) -> Result<Display> {
        let lib = Xlib::open().map_err(|e| anyhow!("libX11: {e}"))?;
        let cname = CString::new(name)?;
        // SAFETY: a valid C string; a null answer is checked.
        let dpy = unsafe { (lib.XOpenDisplay)(cname.as_ptr()) };
        if dpy.is_null() {
            bail!("cannot open X display {name}");
        }
        // Xlib's default handler exits the process on any error, e.g. asking
        // about a window that has closed; the calls' results say it instead.
        // SAFETY: a plain function that touches nothing.
        unsafe { (lib.XSetErrorHandler)(Some(ignore_error)) };
        Ok(Display { lib, dpy })
    }

    fn atom(&self, name: &str) -> xlib::Atom {
        let c = CString::new(name).expect("atom name");
        // SAFETY: open display, valid C string.
        unsafe { (self.lib.XInternAtom)(self.dpy, c.as_ptr(), xlib::False) }
    }

    fn name_of(&self, w: xlib::Window) -> Option<String> {
        let mut name: *mut i8 = ptr::null_mut();
        // SAFETY: `name` is freed with XFree when set.
        unsafe {
            if (self.lib.XFetchName)(self.dpy, w, &mut name) == 0 || name.is_null() {
                return None;
            }
            let s = CStr::from_ptr(name).to_string_lossy().into_owned();
            (self.lib.XFree)(name.cast());
            Some(s)
        }
    }

    fn children(&self, w: xlib::Window) -> Vec<xlib::Window> {
        let (mut root, mut parent) = (0, 0);
        let mut kids: *mut xlib::Window = ptr::null_mut();
        let mut n: c_uint = 0;
        // SAFETY: the list is copied, then freed with XFree.
        unsafe {
            if (self.lib.XQueryTree)(self.dpy, w, &mut root, &mut parent, &mut kids, &mut n) == 0 {
                return Vec::new();
            }
            let list = if kids.is_null() {
                Vec::new()
            } else {
                std::slice::from_raw_parts(kids, n as usize).to_vec()
            };
            if !kids.is_null() {
                (self.lib.XFree)(kids.cast());
            }
            list
        }
    }

    /// The mapped top-level window titled `title`.
    pub fn find(&self, title: &str) -> Result<xlib::Window> {
        // SAFETY: open display.
        let root = unsafe { (self.lib.XDefaultRootWindow)(self.dpy) };
        let mut stack = vec![root];
        while let Some(w) = stack.pop() {
            if w != root && self.name_of(w).as_deref() == Some(title) && self.viewable(w) {
                return Ok(w);
            }
            stack.extend(self.children(w));
        }
        bail!("no window titled {title:?}")
    }

    fn attributes(&self, w: xlib::Window) -> Option<xlib::XWindowAttributes> {
        // SAFETY: zeroed plain C struct, filled by Xlib.
        unsafe {
            let mut a: xlib::XWindowAttributes = std::mem::zeroed();
            ((self.lib.XGetWindowAttributes)(self.dpy, w, &mut a) != 0).then_some(a)
        }
    }

    fn viewable(&self, w: xlib::Window) -> bool {
        self.attributes(w)
            .is_some_and(|a| a.map_state == xlib::IsViewable)
    }

    pub fn geometry(&self, w: xlib::Window) -> Result<Geometry> {
        // SAFETY: open display; errors are reported through the results.
        unsafe { (self.lib.XSync)(self.dpy, xlib::False) };
        let a = self
            .attributes(w)
            .ok_or_else(|| anyhow!("window {w} is gone"))?;
        Ok(Geometry {
            width: a.width as u32,
            height: a.height as u32,
        })
    }

    pub fn screen(&self) -> Geometry {
        // SAFETY: open display, default screen.
        unsafe {
            let s = (self.lib.XDefaultScreen)(self.dpy);
            Geometry {
                width: (self.lib.XDisplayWidth)(self.dpy, s) as u32,
                height: (self.lib.XDisplayHeight)(self.dpy, s) as u32,
            }
        }
    }

    /// Whether the window asks for decorations: `_MOTIF_WM_HINTS` with the
    /// decorations flag (bit 2) set and no decorations means no. No hint at
    /// all means the window manager's default: decorated.
    pub fn decorated(&self, w: xlib::Window) -> Result<bool> {
        let hints = self.atom("_MOTIF_WM_HINTS");
        let (mut kind, mut format) = (0, 0 as c_int);
        let (mut n, mut after) = (0 as c_ulong, 0 as c_ulong);
        let mut data: *mut c_uchar = ptr::null_mut();
        // SAFETY: property data is copied out and freed with XFree.
        let values = unsafe {
            let status = (self.lib.XGetWindowProperty)(
                self.dpy,
                w,
                hints,
                0,
                5,
                xlib::False,
                hints,
                &mut kind,
                &mut format,
                &mut n,
                &mut after,
                &mut data,
            );
            if status != 0 {
                bail!("reading _MOTIF_WM_HINTS failed");
            }
            let v = if data.is_null() || format != 32 {
                Vec::new()
            } else {
                std::slice::from_raw_parts(data.cast::<c_long>(), n as usize).to_vec()
            };
            if !data.is_null() {
                (self.lib.XFree)(data.cast());
            }
            v
        };
        Ok(match values.as_slice() {
            [flags, _functions, decorations, ..] if flags & 2 != 0 => *decorations != 0,
            _ => true,
        })
    }

    /// Whether a window manager runs (EWMH's `_NET_SUPPORTING_WM_CHECK`).
    pub fn wm_running(&self) -> bool {
        let check = self.atom("_NET_SUPPORTING_WM_CHECK");
        let (mut kind, mut format) = (0, 0 as c_int);
        let (mut n, mut after) = (0 as c_ulong, 0 as c_ulong);
        let mut data: *mut c_uchar = ptr::null_mut();
        // SAFETY: open display; property data freed with XFree.
        unsafe {
            let root = (self.lib.XDefaultRootWindow)(self.dpy);
            let status = (self.lib.XGetWindowProperty)(
                self.dpy,
                root,
                check,
                0,
                1,
                xlib::False,
                xlib::XA_WINDOW,
                &mut kind,
                &mut format,
                &mut n,
                &mut after,
                &mut data,
            );
            if !data.is_null() {
                (self.lib.XFree)(data.cast());
            }
            status == 0 && n == 1
        }
    }

    /// Presses and releases Alt+F4 on the keyboard (XTest), with `w` focused.
    pub fn alt_f4(&self, w: xlib::Window) -> Result<()> {
        let xtest = x11_dl::xtest::Xf86vmode::open().map_err(|e| anyhow!("libXtst: {e}"))?;
        // SAFETY: open display; keysyms from X's own tables.
        unsafe {
            (self.lib.XSetInputFocus)(self.dpy, w, xlib::RevertToParent, xlib::CurrentTime);
            let alt = (self.lib.XKeysymToKeycode)(self.dpy, x11_dl::keysym::XK_Alt_L as c_ulong);
            let f4 = (self.lib.XKeysymToKeycode)(self.dpy, x11_dl::keysym::XK_F4 as c_ulong);
            for (code, down) in [(alt, 1), (f4, 1), (f4, 0), (alt, 0)] {
                (xtest.XTestFakeKeyEvent)(self.dpy, c_uint::from(code), down, 0);
            }
            (self.lib.XFlush)(self.dpy);
        }
        Ok(())
    }

    /// What a window manager sends on Alt+F4 or the title bar's ×.
    pub fn request_close(&self, w: xlib::Window) -> Result<()> {
        let protocols = self.atom("WM_PROTOCOLS");
        let delete = self.atom("WM_DELETE_WINDOW");
        // SAFETY: a zeroed client-message event, filled in and sent.
        unsafe {
            let mut ev: xlib::XEvent = std::mem::zeroed();
            ev.client_message.type_ = xlib::ClientMessage;
            ev.client_message.window = w;
            ev.client_message.message_type = protocols;
            ev.client_message.format = 32;
            ev.client_message.data.set_long(0, delete as c_long);
            ev.client_message
                .data
                .set_long(1, xlib::CurrentTime as c_long);
            if (self.lib.XSendEvent)(self.dpy, w, xlib::False, xlib::NoEventMask, &mut ev) == 0 {
                bail!("XSendEvent failed");
            }
            (self.lib.XFlush)(self.dpy);
        }
        Ok(())
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        // SAFETY: opened in `open`, closed once.
        unsafe { (self.lib.XCloseDisplay)(self.dpy) };
    }
}
