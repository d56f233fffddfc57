//! Rust futures as JS promises, and JS promises as Rust futures: a minimal single-threaded executor.
//!
//! **Invariant: a task awaits only [`Settled`]**, one at a time (every wait of a call is a `Promise.race` the
//! library made). So a task needs no queue and no waker: it owns one pair of callbacks, made once, and whichever
//! promise it waits on calls them, which polls the task again directly. The waker passed to `poll` is a no-op, so
//! any other future would never be polled again; [`poll`] checks the invariant instead of trusting it: a task that
//! returns `Pending` without a `Settled` waiting rejects its promise at once rather than hanging silently.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

type Outcome = Result<JsValue, JsValue>;
type Callback = Closure<dyn FnMut(JsValue)>;

/// A spawned future, the functions that settle its promise, and the callbacks its awaits use.
struct Task {
    future: RefCell<Option<Pin<Box<dyn Future<Output = Outcome>>>>>,
    resolve: Function,
    reject: Function,
    /// What the awaited promise gave, until the awaiting `Settled` takes it.
    outcome: RefCell<Option<Outcome>>,
    callbacks: RefCell<Option<(Callback, Callback)>>,
    /// A `Settled` of this task is waiting on a promise, whose settling will poll the task again.
    waiting: Cell<bool>,
}

thread_local! {
    /// The task being polled, so a `Settled` can wait on its behalf.
    static CURRENT: RefCell<Option<Rc<Task>>> = const { RefCell::new(None) };
}

/// Runs `future` as a JS `Promise` that settles with its outcome.
pub fn promise(future: impl Future<Output = Outcome> + 'static) -> Promise {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    if let Some((resolve, reject)) = settle {
        let task = Rc::new(Task {
            future: RefCell::new(Some(Box::pin(future))),
            resolve,
            reject,
            outcome: RefCell::new(None),
            callbacks: RefCell::new(None),
            waiting: Cell::new(false),
        });
        poll(&task);
    }
    promise
}

/// Polls `task` once; settles its promise when it is done.
fn poll(task: &Rc<Task>) {
    let Ok(mut slot) = task.future.try_borrow_mut() else {
        return;
    };
    let Some(future) = slot.as_mut() else {
        return;
    };
    let outer = CURRENT.with(|current| current.replace(Some(Rc::clone(task))));
    task.waiting.set(false);
    let polled = future.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    CURRENT.with(|current| current.replace(outer));
    let polled = match polled {
        // Pending with nothing to wake the task: a future other than `Settled` was awaited (a defect here).
        Poll::Pending if !task.waiting.get() => Poll::Ready(Err(js_sys::Error::new(
            "gewe-revoke: a task awaited something other than a library promise and could never settle",
        )
        .into())),
        polled => polled,
    };
    if let Poll::Ready(outcome) = polled {
        *slot = None;
        drop(slot);
        let _ = match outcome {
            Ok(value) => task.resolve.call1(&JsValue::UNDEFINED, &value),
            Err(error) => task.reject.call1(&JsValue::UNDEFINED, &error),
        };
    }
}

impl Task {
    /// Waits on `promise`: its settling stores the outcome and polls the task.
    fn wait_on(self: &Rc<Self>, promise: &Promise) {
        let mut callbacks = self.callbacks.borrow_mut();
        let (ok, err) = callbacks.get_or_insert_with(|| {
            // Weak: the callbacks live in the task, so a strong reference would keep a finished task alive.
            let callback = |ok: bool| {
                let task = Rc::downgrade(self);
                Closure::new(move |value: JsValue| {
                    if let Some(task) = Weak::upgrade(&task) {
                        *task.outcome.borrow_mut() = Some(if ok { Ok(value) } else { Err(value) });
                        poll(&task);
                    }
                })
            };
            (callback(true), callback(false))
        });
        let _ = promise.then2(ok, err);
        self.waiting.set(true);
    }
}

/// A promise the library made, as a future.
pub struct Settled {
    promise: Option<Promise>,
    task: Option<Rc<Task>>,
}

impl From<Promise> for Settled {
    fn from(promise: Promise) -> Settled {
        Settled {
            promise: Some(promise),
            task: None,
        }
    }
}

impl Future for Settled {
    type Output = Outcome;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Outcome> {
        let this = self.get_mut();
        if let Some(task) = &this.task {
            return match task.outcome.borrow_mut().take() {
                Some(outcome) => Poll::Ready(outcome),
                None => {
                    // Polled again before its promise settled (a sibling's wake): still waiting.
                    task.waiting.set(true);
                    Poll::Pending
                }
            };
        }
        let (Some(promise), Some(task)) = (this.promise.take(), CURRENT.with(|c| c.borrow().clone())) else {
            return Poll::Pending;
        };
        task.wait_on(&promise);
        this.task = Some(task);
        Poll::Pending
    }
}
