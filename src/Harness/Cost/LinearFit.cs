namespace Tcdb.Cost;

/// <summary>A straight line y = intercept + slope * x through measurements, neither part negative.</summary>
public sealed record LinearFit(double Intercept, double Slope)
{
    public double Predict(double x) => Intercept + Slope * x;

    /// <summary>
    /// Least squares over <paramref name="points"/>, constrained to a non-negative slope and intercept (a
    /// migration does not get faster with more rows, nor take negative time on an empty table).
    /// </summary>
    public static LinearFit Through(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count == 0)
        {
            return new LinearFit(0, 0);
        }

        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        var sxx = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        if (points.Count == 1 || sxx == 0)
        {
            // One scale: assume time proportional to rows.
            return meanX > 0 ? new LinearFit(0, Math.Max(0, meanY / meanX)) : new LinearFit(Math.Max(0, meanY), 0);
        }

        var slope = points.Sum(p => (p.X - meanX) * (p.Y - meanY)) / sxx;
        if (slope <= 0)
        {
            return new LinearFit(Math.Max(0, meanY), 0);
        }

        var intercept = meanY - slope * meanX;
        if (intercept >= 0)
        {
            return new LinearFit(intercept, slope);
        }

        var sxy0 = points.Sum(p => p.X * p.Y);
        var sxx0 = points.Sum(p => p.X * p.X);
        return new LinearFit(0, Math.Max(0, sxy0 / sxx0));
    }

    /// <summary>
    /// How well the fit extrapolates: fitted on all points but the one with the largest x, the relative error
    /// of its prediction there ((predicted - measured) / measured). Null with fewer than three points.
    /// </summary>
    public static double? PredictionError(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 3)
        {
            return null;
        }

        var largest = points.MaxBy(p => p.X);
        var measured = largest.Y;
        if (measured <= 0)
        {
            return null;
        }

        var fit = Through(points.Where(p => p != largest).ToList());
        return (fit.Predict(largest.X) - measured) / measured;
    }
}
