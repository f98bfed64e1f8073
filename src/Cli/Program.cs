return await Tcdb.Cli.CliApp.RunAsync(args, Console.Out, Console.Error);
