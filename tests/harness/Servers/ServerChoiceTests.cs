using Tcdb.Servers;

namespace Tcdb.Harness.Tests.Servers;

[TestFixture]
public sealed class ServerChoiceTests
{
    [TestCase("local", ServerKind.Local, null)]
    [TestCase(" LOCAL ", ServerKind.Local, null)]
    [TestCase("docker", ServerKind.Docker, null)]
    [TestCase("docker:postgres:16-bookworm", ServerKind.Docker, "postgres:16-bookworm")]
    [TestCase("docker:registry.example.com:5000/team/pg:15", ServerKind.Docker, "registry.example.com:5000/team/pg:15")]
    public void Parses_local_docker_and_docker_with_an_image(string text, ServerKind kind, string? image)
    {
        var choice = ServerChoice.Parse(text);

        Assert.That(choice.Kind, Is.EqualTo(kind));
        Assert.That(choice.Image, Is.EqualTo(image));
    }

    [TestCase("podman")]
    [TestCase("docker:")]
    [TestCase("docker:postgres 15")]
    [TestCase("")]
    public void Refuses_anything_else_listing_the_accepted_forms(string text)
    {
        var error = Assert.Throws<FormatException>(() => ServerChoice.Parse(text));

        Assert.That(error!.Message, Is.EqualTo($"'{text}' is not a server: use local (a throwaway cluster), docker (image postgres:<major>) or docker:IMAGE"));
    }

    [Test]
    public void The_default_image_is_postgres_of_the_major_and_a_named_image_wins()
    {
        Assert.That(ServerChoice.Parse("docker").ImageFor(11), Is.EqualTo("postgres:11"));
        Assert.That(ServerChoice.Parse("docker:postgis/postgis:15-3.4").ImageFor(11), Is.EqualTo("postgis/postgis:15-3.4"));
    }

    [Test]
    public void An_owner_label_of_this_process_is_live()
    {
        Assert.That(DockerEngine.IsStale(DockerEngine.OwnerValue), Is.False);
    }

    [TestCase("garbage")]
    [TestCase("999999999 1")]
    public void An_owner_label_naming_no_living_process_is_stale(string owner)
    {
        Assert.That(DockerEngine.IsStale(owner), Is.True);
    }

    [Test]
    public void An_owner_label_whose_pid_was_reused_by_another_process_is_stale()
    {
        Assert.That(DockerEngine.IsStale($"{Environment.ProcessId} 1"), Is.True);
    }
}
