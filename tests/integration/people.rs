//! People in the graph: one address in any spelling is one person; addresses and
//! names that only look like one person's are reported as candidates by
//! `graph --entity`, never merged. On both engines.

use crate::common::*;

const MBOX: &str = "From x Mon May 14 16:39:00 2001
Message-ID: <p1@enron.com>
Date: Mon, 14 May 2001 16:39:00 -0700
From: Phillip K Allen <Phillip.Allen@enron.com>
To: pallen@enron.com, k.allen@enron.com, k..allen@enron.com, \"Allen, Phillip K\" <pallen70@hotmail.com>
Cc: jason.williams@enron.com, .williams@enron.com, <MAILTO:Ann@X.org.>
Subject: forecast

Here is our forecast.

From x Mon May 14 17:39:00 2001
Message-ID: <p2@enron.com>
Date: Mon, 14 May 2001 17:39:00 -0700
From: ann@x.org
To: Phillip.Allen@enron.com
Subject: Re: forecast

Thanks.
";

#[tokio::test(flavor = "multi_thread")]
async fn look_alike_people_are_candidates_and_one_address_is_one_person() {
    let dir = tempfile::tempdir().unwrap();
    let mbox = dir.path().join("people.mbox");
    std::fs::write(&mbox, MBOX).unwrap();
    for backend in backends() {
        let env = Env::new(backend).await;
        ok(&env.run(&["backfill", "--tenant", "acme", "--source", &format!("mbox:{}", mbox.display())]));
        let entity = |name: &str| -> serde_json::Value {
            let o = env.run(&["graph", "--tenant", "acme", "--entity", name, "--json"]);
            let doc: serde_json::Value = serde_json::from_str(&stdout(ok(&o))).unwrap();
            doc["entities"][0].clone()
        };
        let keys = |e: &serde_json::Value| -> Vec<String> {
            e["candidates"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap().to_string()).collect()
        };

        // MAILTO:Ann@X.org. and ann@x.org are one address: one person, both messages
        let ann = entity("ann@x.org");
        assert_eq!(ann["key"], "person:ann@x.org", "{ann}");
        assert_eq!(ann["mentions"], 2, "{ann}");

        let phillip = entity("phillip.allen@enron.com");
        assert_eq!(keys(&phillip), ["person:pallen70@hotmail.com", "person:pallen@enron.com"], "{phillip}");
        let why: Vec<&str> =
            phillip["candidates"].as_array().unwrap().iter().map(|c| c["why"].as_str().unwrap()).collect();
        assert!(why[0].contains("same name") && why[1].contains("initial"), "{why:?}");
        assert_eq!(keys(&entity("k.allen@enron.com")), ["person:k..allen@enron.com"]);
        assert_eq!(keys(&entity(".williams@enron.com")), ["person:jason.williams@enron.com"]);
        // candidates, not merges: each is still its own person
        assert_eq!(entity("pallen@enron.com")["key"], "person:pallen@enron.com");
        assert!(entity("ann@x.org")["candidates"].as_array().unwrap().is_empty());

        let text = stdout(ok(&env.run(&["graph", "--tenant", "acme", "--entity", "k.allen@enron.com"])));
        assert!(text.contains("may be the same person (not merged)") && text.contains("k..allen@enron.com"), "{text}");
    }
}
