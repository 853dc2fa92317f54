import { embedderSuite } from "@recall/test-suite";
import { fakeEmbedder } from "./fake-embedder.js";

embedderSuite("fakeEmbedder", () => fakeEmbedder());
embedderSuite("fakeEmbedder (synonyms, 384 dimensions)", () =>
  fakeEmbedder({
    dimensions: 384,
    synonyms: [["How do I reset my password?", "How can I change my password?"]],
  }),
);
