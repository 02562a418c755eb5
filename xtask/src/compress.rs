//! Precompressed copies of the built console: `<file>.br` (brotli, quality 11) and `<file>.gz`
//! (gzip -9) next to each of `dist/`'s `.wasm`, `.js`, `.css` and `.html` files, for the service
//! to send to a browser that accepts them. Quality 11 takes seconds for the wasm, far too slow
//! per request, so it is done once here; the stable file names stay as they are.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Result;

/// The files worth compressing: text and WebAssembly (images and fonts are compressed already).
const COMPRESSED_EXTENSIONS: [&str; 4] = ["wasm", "js", "css", "html"];

/// Brotli's densest setting, and its largest window (the wasm is over a megabyte).
const BROTLI_QUALITY: u32 = 11;
const BROTLI_WINDOW_BITS: u32 = 24;

/// Writes the `.br` and `.gz` copies of every file to compress under `dist` (subfolders too);
/// returns how many files it compressed.
pub fn compress_dist(dist: &Path) -> Result<usize> {
    let files = files_to_compress(dist)?;
    for file in &files {
        let original =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        write_beside(file, "br", &brotli_bytes(&original)?)?;
        write_beside(file, "gz", &gzip_bytes(&original)?)?;
    }
    Ok(files.len())
}

fn files_to_compress(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            found.extend(files_to_compress(&path)?);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSED_EXTENSIONS.contains(&e))
        {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

fn write_beside(file: &Path, suffix: &str, bytes: &[u8]) -> Result {
    let mut name = file.as_os_str().to_owned();
    name.push(format!(".{suffix}"));
    std::fs::write(&name, bytes).map_err(|e| format!("cannot write {name:?}: {e}"))
}

fn brotli_bytes(original: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(original.len() / 3);
    {
        let mut writer =
            brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, BROTLI_WINDOW_BITS);
        writer.write_all(original).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn gzip_bytes(original: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(original).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn unbrotli(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::Decompressor::new(bytes, 4096)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn every_console_file_gets_copies_that_decode_back_to_it() {
        let dist = tempfile::tempdir().unwrap();
        let repetitive: Vec<u8> = b"(module (func $f (result i32) i32.const 42))\n"
            .iter()
            .copied()
            .cycle()
            .take(200_000)
            .collect();
        let files: [(&str, &[u8]); 5] = [
            ("secret-backends-console_bg.wasm", &repetitive),
            (
                "secret-backends-console.js",
                b"export function mountConsole() {}\n",
            ),
            ("style.css", b".sbc { color: black; }\n"),
            ("index.html", b"<!doctype html><title>console</title>\n"),
            ("snippets/x/inline0.js", b"export const x = 1;\n"),
        ];
        for (name, content) in files {
            let path = dist.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        std::fs::write(dist.path().join("favicon.png"), b"\x89PNG").unwrap();

        assert_eq!(compress_dist(dist.path()).unwrap(), 5);

        for (name, content) in files {
            let path = dist.path().join(name);
            let br = std::fs::read(format!("{}.br", path.display())).unwrap();
            let gz = std::fs::read(format!("{}.gz", path.display())).unwrap();
            assert_eq!(unbrotli(&br), content, "{name}.br");
            assert_eq!(gunzip(&gz), content, "{name}.gz");
            assert_eq!(
                std::fs::read(&path).unwrap(),
                content,
                "{name} is unchanged"
            );
        }
        let wasm_br = std::fs::metadata(dist.path().join("secret-backends-console_bg.wasm.br"));
        assert!(wasm_br.unwrap().len() < 10_000, "repetition compresses");
        assert!(!dist.path().join("favicon.png.br").exists());
        assert!(!dist.path().join("favicon.png.gz").exists());
    }

    #[test]
    fn compressing_again_replaces_the_copies_without_compressing_them() {
        let dist = tempfile::tempdir().unwrap();
        std::fs::write(dist.path().join("index.html"), b"<p>one</p>").unwrap();
        compress_dist(dist.path()).unwrap();
        std::fs::write(dist.path().join("index.html"), b"<p>two</p>").unwrap();
        assert_eq!(compress_dist(dist.path()).unwrap(), 1);
        let br = std::fs::read(dist.path().join("index.html.br")).unwrap();
        assert_eq!(unbrotli(&br), b"<p>two</p>");
        assert!(!dist.path().join("index.html.br.br").exists());
    }
}
