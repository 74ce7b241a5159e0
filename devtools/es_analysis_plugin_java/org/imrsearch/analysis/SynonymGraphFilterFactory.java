package org.imrsearch.analysis;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.text.ParseException;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;

/**
 * Stand-in for analysis-common's "synonym_graph" token filter (settings: synonyms, expand).
 * Rules use the Solr format. Unlike the real filter, rules are tokenised with a Unicode
 * word-pattern tokenizer plus lowercasing rather than the analyzer's own preceding chain; that
 * is the chain the IMR index uses, so the result is the same for it.
 */
@NamedComponent("synonym_graph")
public class SynonymGraphFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @ListSetting(path = "synonyms")
        List<String> synonyms();

        @BooleanSetting(path = "expand", defaultValue = true)
        boolean expand();
    }

    private static final Pattern WORDS = Pattern.compile("(?U)\\W+");

    private final SynonymMap map;

    @Inject
    public SynonymGraphFilterFactory(Settings settings) {
        Analyzer rules = new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer tokenizer = new PatternTokenizer(WORDS, -1);
                return new TokenStreamComponents(tokenizer, new LowerCaseFilter(tokenizer));
            }
        };
        try {
            SolrSynonymParser parser = new SolrSynonymParser(true, settings.expand(), rules);
            parser.parse(new StringReader(String.join("\n", settings.synonyms())));
            this.map = parser.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ParseException e) {
            throw new IllegalArgumentException("invalid synonym rule: " + e.getMessage(), e);
        }
    }

    @Override
    public TokenStream create(TokenStream input) {
        return map.fst == null ? input : new SynonymGraphFilter(input, map, true);
    }
}
