//! The one way a page runs a shell command: [`use_shell_call`] replaces the
//! clone / `spawn_local` / "refusal to the app, other errors to the page"
//! pattern every page would otherwise repeat.

use std::cell::Cell;
use std::marker::PhantomData;
use std::rc::Rc;

use omsorg_core::ipc::Command;
use omsorg_core::ErrorCode;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::pages::refusal;
use crate::shell;

/// A command a page runs. While it runs, [`ShellCall::busy`]; a refusal
/// (locked, signed out, closed centrally) goes to the app; any other error
/// becomes [`ShellCall::problem`] until the next success.
pub struct ShellCall<C: Command> {
    busy: UseStateHandle<bool>,
    problem: UseStateHandle<Option<ErrorCode>>,
    on_refused: Callback<ErrorCode>,
    /// False once the page is gone: a late answer then changes nothing (a
    /// refusal arriving after a sign-out must not pull the next screen back).
    mounted: Rc<Cell<bool>>,
    command: PhantomData<C>,
}

impl<C: Command> Clone for ShellCall<C> {
    fn clone(&self) -> Self {
        ShellCall {
            busy: self.busy.clone(),
            problem: self.problem.clone(),
            on_refused: self.on_refused.clone(),
            mounted: self.mounted.clone(),
            command: PhantomData,
        }
    }
}

impl<C: Command + 'static> ShellCall<C> {
    /// Runs the command off the render path; `on_ok` gets its answer.
    pub fn run(&self, args: C::Args, on_ok: impl FnOnce(C::Output) + 'static) {
        self.run_or(args, on_ok, |_| ());
    }

    /// The same; `on_err` also gets an error that is not a refusal (after
    /// it has become the problem).
    pub fn run_or(
        &self,
        args: C::Args,
        on_ok: impl FnOnce(C::Output) + 'static,
        on_err: impl FnOnce(ErrorCode) + 'static,
    ) {
        let this = self.clone();
        this.busy.set(true);
        spawn_local(async move {
            let result = shell::call::<C>(&args).await;
            if !this.mounted.get() {
                return;
            }
            this.busy.set(false);
            match result {
                Ok(out) => {
                    this.problem.set(None);
                    on_ok(out);
                }
                Err(e) if refusal(e.code) => this.on_refused.emit(e.code),
                Err(e) => {
                    this.problem.set(Some(e.code));
                    on_err(e.code);
                }
            }
        });
    }

    pub fn busy(&self) -> bool {
        *self.busy
    }

    /// The last run's error, unless the app took it.
    pub fn problem(&self) -> Option<ErrorCode> {
        *self.problem
    }
}

/// A command this page runs when asked (see [`ShellCall::run`]).
#[hook]
pub fn use_shell_call<C: Command + 'static>(on_refused: &Callback<ErrorCode>) -> ShellCall<C> {
    let mounted = use_memo((), |_| Rc::new(Cell::new(true)));
    {
        let mounted = (*mounted).clone();
        use_effect_with((), move |_| move || mounted.set(false));
    }
    ShellCall {
        busy: use_state(|| false),
        problem: use_state(|| None),
        on_refused: on_refused.clone(),
        mounted: (*mounted).clone(),
        command: PhantomData,
    }
}

/// A command whose answer the page shows: run with default arguments when
/// the page appears and again whenever `reload` changes; `None` until the
/// first answer.
#[hook]
pub fn use_shell_load<C>(
    on_refused: &Callback<ErrorCode>,
    reload: u32,
) -> (UseStateHandle<Option<C::Output>>, ShellCall<C>)
where
    C: Command + 'static,
{
    let answer = use_state(|| None::<C::Output>);
    let call = use_shell_call::<C>(on_refused);
    {
        let (answer, call) = (answer.clone(), call.clone());
        use_effect_with(reload, move |_| {
            call.run(C::Args::default(), move |out| answer.set(Some(out)));
        });
    }
    (answer, call)
}
