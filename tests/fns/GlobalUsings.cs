global using Tcdb.Tests.Support;
