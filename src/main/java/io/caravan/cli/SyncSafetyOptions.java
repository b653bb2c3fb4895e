package io.caravan.cli;

import io.caravan.sync.PathFilter;
import io.caravan.sync.SyncGuards;
import java.util.ArrayList;
import java.util.List;
import java.util.Stack;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options that keep a mirroring command from destroying data by mistake: rsync-style
 * {@code --exclude}/{@code --include} rules (kept in command-line order, since the first match
 * wins), {@code --max-delete}, {@code --allow-empty-source} and {@code --dry-run}.
 */
final class SyncSafetyOptions {

    private final List<PathFilter.Rule> rules = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "<pattern>", parameterConsumer = RuleConsumer.class,
            description = "Leave out what matches (rsync pattern: *, **, ?, [..], leading / anchors, trailing / folders only;"
                    + " repeatable; the first matching --exclude/--include wins, then .caravanignore).")
    List<String> excludes;

    @Option(names = "--include", paramLabel = "<pattern>", parameterConsumer = RuleConsumer.class,
            description = "Keep what matches even if a later --exclude matches it (repeatable).")
    List<String> includes;

    @Option(names = "--max-delete", paramLabel = "<n>", converter = Converters.NotNegative.class,
            description = "Refuse a pass that would delete more than n entries of the mirror (default: no limit).")
    Long maxDelete;

    @Option(names = "--allow-empty-source", description = "Mirror an empty source folder (this empties the mirror).")
    boolean allowEmptySource;

    @Option(names = "--safe-links", description = "Leave out symbolic links that point outside the tree (absolute, or out"
            + " through '..'); by default links are mirrored as links and never followed.")
    boolean safeLinks;

    @Option(names = "--dry-run", description = "Print what one pass would create, change, rename and delete, change nothing, exit.")
    boolean dryRun;

    List<PathFilter.Rule> rules() {
        return List.copyOf(rules);
    }

    SyncGuards guards() {
        return new SyncGuards(maxDelete == null ? -1 : maxDelete, allowEmptySource, SyncGuards.Advice.COMMAND_LINE);
    }

    /** Adds each --exclude or --include to the rules as it comes, so their order on the command line is kept. */
    static final class RuleConsumer implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec command) {
            String option = ((OptionSpec) argSpec).longestName();
            if (args.isEmpty()) {
                throw new ParameterException(command.commandLine(), "option '" + option + "' needs a pattern");
            }
            SyncSafetyOptions options = command.mixins().values().stream().map(CommandSpec::userObject)
                    .filter(SyncSafetyOptions.class::isInstance).map(SyncSafetyOptions.class::cast).findFirst().orElseThrow();
            options.rules.add(new PathFilter.Rule(option.equals("--include"), args.pop()));
        }
    }
}
