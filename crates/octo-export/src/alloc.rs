//! The C allocator tuned for exports (glibc's malloc; others are left as they are).
//!
//! An export's big buffers are short-lived and many at once: each connection's read buffer
//! (64–256 KiB as hyper grows it, one per request in flight), each page's body (~67 KiB of 100
//! events) and each open part's chunk (~100 KiB). glibc serves allocations from 128 KiB up from
//! their own mappings only until the first such block is freed; then it raises that threshold
//! and carves them from its heaps, where the holes they leave keep the pages resident. Measured
//! (issue 17, 1,000,000 events, 64 in flight): peak RSS 34–35 MiB as glibc does it, 27.5 MiB with
//! a fixed threshold of 64 KiB (31 MiB at 128 KiB, 23.6 MiB at 32 KiB but twice the system time
//! of mapping that often); the same wall and user time.

/// Allocations from this size up get mappings of their own, returned to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 64 * 1024;

/// Fix glibc's mmap threshold at [`MMAP_THRESHOLD`] (it also stops glibc from raising it).
/// Returns whether it was set: false on other C libraries, or if glibc refused.
pub(crate) fn map_large_buffers() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets one of malloc's parameters, M_MMAP_THRESHOLD to a value in
        // its range (0..=32 MiB on 64-bit); it takes malloc's own lock, so it is sound at any
        // time from any thread, and it touches no memory of ours.
        #[allow(unsafe_code)]
        let set = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) };
        set == 1
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_the_threshold() {
        assert!(super::map_large_buffers());
    }
}
