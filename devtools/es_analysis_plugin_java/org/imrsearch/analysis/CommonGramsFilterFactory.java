package org.imrsearch.analysis;

import java.util.List;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.commongrams.CommonGramsFilter;
import org.apache.lucene.analysis.commongrams.CommonGramsQueryFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;

/**
 * Stand-in for analysis-common's "common_grams" token filter (settings: common_words,
 * ignore_case, query_mode), wrapping the same Lucene filters: CommonGramsFilter (the words and
 * a gram of every pair with a common word) and, in query mode, CommonGramsQueryFilter (grams
 * where there are some, the words elsewhere).
 */
@NamedComponent("common_grams")
public class CommonGramsFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @ListSetting(path = "common_words")
        List<String> commonWords();

        @BooleanSetting(path = "ignore_case", defaultValue = false)
        boolean ignoreCase();

        @BooleanSetting(path = "query_mode", defaultValue = false)
        boolean queryMode();
    }

    private final CharArraySet words;
    private final boolean queryMode;

    @Inject
    public CommonGramsFilterFactory(Settings settings) {
        this.words = CharArraySet.unmodifiableSet(
            new CharArraySet(settings.commonWords(), settings.ignoreCase())
        );
        this.queryMode = settings.queryMode();
    }

    @Override
    public TokenStream create(TokenStream input) {
        if (words.isEmpty()) {
            return input;
        }
        CommonGramsFilter grams = new CommonGramsFilter(input, words);
        return queryMode ? new CommonGramsQueryFilter(grams) : grams;
    }
}
