//! octo_export::store against moto S3: small objects in one PutObject, large ones as a multipart
//! upload that is invisible until complete; sizes and sha256 as read back.

use octo_aws::s3::IN_MEMORY;
use octo_export::store::{MIN_PART, Store};
use octo_testkit::Moto;
use sha2::Digest;

/// The files in the temporary folder this test binary spools to.
fn spooled(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn put_multipart_get_size_delete() {
    let tmp = tempfile::tempdir().unwrap();
    let spool_dir = tmp.path().join("spool");
    std::fs::create_dir(&spool_dir).unwrap();
    tempfile::env::override_temp_dir(&spool_dir).unwrap();
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s3 = moto.s3_bucket("store-test").await;
        let store = Store::s3(s3.clone(), "store-test", "a/b/", MIN_PART)
            .await
            .unwrap();

        let w = store
            .put("small.txt", b"hello world".to_vec())
            .await
            .unwrap();
        assert_eq!(w.bytes, 11);
        assert_eq!(
            store.get("small.txt").await.unwrap().unwrap(),
            b"hello world"
        );
        assert_eq!(store.locate("small.txt"), "s3://store-test/a/b/small.txt");
        assert!(
            spooled(&spool_dir).is_empty(),
            "a small object stays in memory"
        );

        // above IN_MEMORY an object spools to a temporary file, streamed in one PutObject
        let medium: Vec<u8> = (0..IN_MEMORY * 5).map(|i| (i * 13 % 241) as u8).collect();
        let mut w = store.create("medium.bin").await.unwrap();
        for chunk in medium.chunks(32 * 1024) {
            w.write(chunk).await.unwrap();
        }
        let names = spooled(&spool_dir);
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(names[0].starts_with(".octo-upload-"), "{names:?}");
        let written = w.finish().await.unwrap();
        assert_eq!(written.bytes, medium.len() as u64);
        assert_eq!(store.get("medium.bin").await.unwrap().unwrap(), medium);
        assert!(spooled(&spool_dir).is_empty(), "the spool file is removed");

        // 2.4 parts of 5 MiB, written in odd-sized chunks
        let data: Vec<u8> = (0..(MIN_PART * 12 / 5))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let mut w = store.create("big.bin").await.unwrap();
        for chunk in data.chunks(777_777) {
            w.write(chunk).await.unwrap();
        }
        assert_eq!(
            store.size("big.bin").await.unwrap(),
            None,
            "visible before complete"
        );
        let written = w.finish().await.unwrap();
        assert_eq!(written.bytes, data.len() as u64);
        assert_eq!(written.sha256, hex::encode(sha2::Sha256::digest(&data)));
        assert_eq!(
            store.size("big.bin").await.unwrap(),
            Some(data.len() as u64)
        );
        assert_eq!(store.get("big.bin").await.unwrap().unwrap(), data);
        assert!(
            spooled(&spool_dir).is_empty(),
            "the parts' spool files are removed"
        );

        // an aborted multipart upload leaves nothing
        let mut w = store.create("aborted.bin").await.unwrap();
        w.write(&data).await.unwrap();
        w.abort().await;
        assert_eq!(store.size("aborted.bin").await.unwrap(), None);
        let uploads = s3
            .list_multipart_uploads()
            .bucket("store-test")
            .send()
            .await
            .unwrap();
        assert!(uploads.uploads().is_empty(), "{:?}", uploads.uploads());
        assert!(
            spooled(&spool_dir).is_empty(),
            "an abort removes the spool file"
        );

        store.delete("big.bin").await.unwrap();
        assert_eq!(store.get("big.bin").await.unwrap(), None);
        assert_eq!(store.get("never-written").await.unwrap(), None);

        // a missing bucket is a clear error
        let e = Store::s3(s3.clone(), "no-such-bucket", "", MIN_PART)
            .await
            .unwrap_err();
        assert!(format!("{e:#}").contains("s3://no-such-bucket"), "{e:#}");
    });
}
