//! PIN hashing: Argon2id with at least OWASP's minimum (19 MiB, t=2, p=1) and
//! a server-side pepper, computed off the async runtime on one thread per
//! core. Each thread keeps its Argon2 memory and takes the next queued
//! check itself the moment it finishes one: no check waits for the async
//! runtime to hand it a core, and none allocates or clears 19 MiB (a shift
//! change's burst runs at the machine's Argon2 limit, see the
//! `shared_login` benchmark).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use omsorg_core::pin_hash::{self, HashError, Memory};
use tokio::sync::oneshot;

pub use omsorg_core::pin_hash::{ITERATIONS, MEMORY_KIB, PARALLELISM};

enum Job {
    Hash(String, oneshot::Sender<Result<String, HashError>>),
    Verify(String, String, oneshot::Sender<Result<bool, HashError>>),
}

#[derive(Clone)]
pub struct PinHasher {
    pepper: Arc<Vec<u8>>,
    jobs: mpsc::Sender<Job>,
    verified: Arc<AtomicU64>,
}

impl PinHasher {
    /// `concurrency`: hashes at once (each takes 19 MiB and a core). The
    /// threads end when the last clone is dropped.
    pub fn new(pepper: &[u8], concurrency: usize) -> PinHasher {
        let pepper = Arc::new(pepper.to_vec());
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..concurrency.max(1) {
            let (queue, pepper) = (queue.clone(), pepper.clone());
            std::thread::Builder::new()
                .name(format!("pin-hash-{n}"))
                .spawn(move || work(&queue, &pepper))
                .expect("a PIN hashing thread");
        }
        PinHasher {
            pepper,
            jobs,
            verified: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The server's pepper (also the key for `secret::user_key`).
    pub fn pepper(&self) -> &[u8] {
        &self.pepper
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub async fn hash(&self, pin: &str) -> anyhow::Result<String> {
        let (reply, answer) = oneshot::channel();
        self.queue(Job::Hash(pin.to_string(), reply))?;
        Ok(answer.await??)
    }

    fn queue(&self, job: Job) -> anyhow::Result<()> {
        self.jobs
            .send(job)
            .map_err(|_| anyhow::anyhow!("the PIN threads have stopped"))
    }

    /// How many PINs this process has checked: the figure the guessing
    /// limits are measured by.
    pub fn verifications(&self) -> u64 {
        self.verified.load(Ordering::Relaxed)
    }

    /// Queues the check at once (its place in the queue is taken when this
    /// is called, not when the answer is awaited).
    pub fn verify(
        &self,
        pin: &str,
        phc: &str,
    ) -> impl std::future::Future<Output = anyhow::Result<bool>> + use<> {
        self.verified.fetch_add(1, Ordering::Relaxed);
        let (reply, answer) = oneshot::channel();
        let queued = self.queue(Job::Verify(pin.to_string(), phc.to_string(), reply));
        async move {
            queued?;
            Ok(answer.await??)
        }
    }
}

/// One hashing thread: the next job from the shared queue, in this
/// thread's memory, until every sender is gone. An answer nobody waits for
/// any more (the request was dropped) is thrown away.
fn work(queue: &Mutex<mpsc::Receiver<Job>>, pepper: &[u8]) {
    let mut memory = Memory::default();
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(Job::Hash(pin, reply)) => {
                let salt = SaltString::generate(&mut OsRng);
                let _ = reply.send(pin_hash::hash(pin.as_bytes(), pepper, salt.as_str()));
            }
            Ok(Job::Verify(pin, phc, reply)) => {
                let _ = reply.send(pin_hash::verify_in(
                    pin.as_bytes(),
                    pepper,
                    &phc,
                    &mut memory,
                ));
            }
            Err(mpsc::RecvError) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn concurrent_hashes_off_the_runtime_verify_under_their_pepper_only() {
        let hasher = PinHasher::new(b"pepper-one", 1);
        let (a, b) = tokio::join!(hasher.hash("2580"), hasher.hash("2580"));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_ne!(a, b, "each hash has its own salt");
        assert!(hasher.verify("2580", &a).await.unwrap());
        assert!(!PinHasher::new(b"pepper-two", 1)
            .verify("2580", &b)
            .await
            .unwrap());
        assert!(hasher.verify("2580", "garbage").await.is_err());
    }
}
