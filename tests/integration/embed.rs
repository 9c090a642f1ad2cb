//! The local embedder reproduces the official model2vec library's vectors.

use atom_sync::embed::{Embedder, LocalEmbedder};

#[tokio::test]
async fn local_embedder_matches_every_reference_vector() {
    let doc: serde_json::Value = serde_json::from_str(include_str!("../data/reference_vectors.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20, "reference file has {} cases", cases.len());
    let e = LocalEmbedder::load().unwrap();
    assert_eq!(e.dimension(), doc["dimension"].as_u64().unwrap() as usize);
    assert_eq!(e.name(), "potion-base-8M");

    let texts: Vec<String> = cases.iter().map(|c| c["text"].as_str().unwrap().to_string()).collect();
    // one batch, as the pipeline embeds a chunk
    let got = e.embed(texts.clone()).await.unwrap();
    for (case, v) in cases.iter().zip(&got) {
        let want: Vec<f32> = case["vector"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect();
        let text = case["text"].as_str().unwrap();
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm(&want) == 0.0 {
            assert!(norm(v) < 1e-6, "{text:?}: expected a zero vector");
            continue;
        }
        let cos = want.iter().zip(v).map(|(a, b)| a * b).sum::<f32>() / (norm(&want) * norm(v));
        assert!(cos >= 0.999, "{text:?}: cosine {cos}");
    }
}
