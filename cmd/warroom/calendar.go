package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
)

func (c *cli) newCalendarCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "calendar",
		Short: "Working calendars: public holidays, make-up workdays (调休), company days off",
	})
	cmd.AddCommand(c.newCalendarRegionsCmd(), c.newCalendarListCmd(), c.newCalendarShowCmd(), c.newCalendarCreateCmd(),
		c.newCalendarImportCmd(), c.newCalendarAddDayCmd(), c.newCalendarRemoveDayCmd(), c.newCalendarDeleteCmd(),
		c.newCalendarFreezeCmd(), c.newCalendarCoverCmd())
	return cmd
}

// calendarID reads a calendar argument: an ID, or a name looked up.
func (c *cli) calendarID(cmd *cobra.Command, s string) (int64, error) {
	if id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64); err == nil && id > 0 {
		return id, nil
	}
	cs, err := c.client().FindCalendars(cmd.Context())
	if err != nil {
		return 0, err
	}
	for _, x := range cs {
		if strings.EqualFold(x.Name, s) {
			return x.ID, nil
		}
	}
	return 0, usageErrorf("no calendar %q (see: warroom calendar list)", s)
}

func (c *cli) newCalendarRegionsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "regions",
		Short: "List the built-in regions and the years they cover",
		Args:  args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			rs, err := c.client().FindCalendarRegions(cmd.Context())
			if err != nil {
				return err
			}
			return c.output(map[string]any{"regions": rs}, func(out io.Writer) error {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "CODE\tNAME\tZONE\tYEARS")
				for _, r := range rs {
					years := "every year (fixed rules)"
					if r.LastYear != 0 {
						years = fmt.Sprintf("%d–%d", r.FirstYear, r.LastYear)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Code, r.Name, r.TimeZone, years)
				}
				return tw.Flush()
			})
		},
	}
}

// coverageText says which years a calendar covers.
func coverageText(cal *client.Calendar) string {
	if cal.Coverage.Ruled {
		return "every year"
	}
	ys := cal.Coverage.Years
	if len(ys) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d–%d", ys[0], ys[len(ys)-1])
}

func (c *cli) newCalendarListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List calendars, the years they cover, and a warning before a year runs out",
		Args:  args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cs, err := c.client().FindCalendars(cmd.Context())
			if err != nil {
				return err
			}
			return c.output(map[string]any{"calendars": cs}, func(out io.Writer) error {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tREGION\tZONE\tOWN DAYS\tCOVERED\tWARNING")
				for _, x := range cs {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", x.ID, x.Name, x.Region, x.TimeZone, len(x.Days), coverageText(x), x.Coverage.Warning)
				}
				return tw.Flush()
			})
		},
	}
}

// dayMark is the one-character mark of a dated day in the year view.
func dayMark(k warroom.CalendarDayKind) string {
	switch k {
	case warroom.DayHoliday:
		return "*"
	case warroom.DayWorkday:
		return "+"
	case warroom.DayOff:
		return "-"
	}
	return " "
}

// writeYear prints a month grid, Monday first, marking dated days, then
// the holiday periods and make-up workdays by name.
func writeYear(out io.Writer, cal *client.Calendar) error {
	marks := map[string]warroom.CalendarDay{}
	for _, d := range cal.YearDays {
		marks[d.Date] = d
	}
	fmt.Fprintf(out, "%s %d (%s, %s)   * holiday  + make-up workday  - day off\n", cal.Name, cal.Year, cal.Region, cal.TimeZone)
	if w := cal.Coverage.Warning; w != "" {
		fmt.Fprintf(out, "warning: %s\n", w)
	}
	for m := time.January; m <= time.December; m++ {
		fmt.Fprintf(out, "\n%s\n Mo  Tu  We  Th  Fr  Sa  Su\n", m)
		first := time.Date(cal.Year, m, 1, 0, 0, 0, 0, time.UTC)
		col := (int(first.Weekday()) + 6) % 7
		line := strings.Repeat("    ", col)
		for d := first; d.Month() == m; d = d.AddDate(0, 0, 1) {
			line += fmt.Sprintf("%3d%s", d.Day(), dayMark(marks[d.Format(time.DateOnly)].Kind))
			if col = (col + 1) % 7; col == 0 {
				fmt.Fprintln(out, strings.TrimRight(line, " "))
				line = ""
			}
		}
		if line != "" {
			fmt.Fprintln(out, strings.TrimRight(line, " "))
		}
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, p := range cal.HolidayPeriods {
		fmt.Fprintf(tw, "holiday\t%s to %s\t%s %s\n", p.First, p.Last, p.Name, p.LocalName)
	}
	for _, d := range cal.YearDays {
		if d.Kind != warroom.DayHoliday {
			fmt.Fprintf(tw, "%s\t%s\t%s %s\n", d.Kind, d.Date, d.Name, d.LocalName)
		}
	}
	return tw.Flush()
}

func (c *cli) newCalendarShowCmd() *cobra.Command {
	var year int
	cmd := &cobra.Command{
		Use:     "show CALENDAR",
		Short:   "Show a year: holidays, make-up workdays and days off marked",
		Example: `  warroom calendar show China --year 2026`,
		Args:    args("CALENDAR"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := c.calendarID(cmd, a[0])
			if err != nil {
				return err
			}
			cal, err := c.client().FindCalendar(cmd.Context(), id, year)
			if err != nil {
				return err
			}
			return c.output(cal, func(out io.Writer) error { return writeYear(out, cal) })
		},
	}
	cmd.Flags().IntVar(&year, "year", 0, "year to show; default this year")
	return cmd
}

func (c *cli) newCalendarCreateCmd() *cobra.Command {
	var region, zone string
	cmd := &cobra.Command{
		Use:     "create NAME",
		Short:   "Add a calendar on a built-in region, or of its own days only (admin)",
		Example: `  warroom calendar create China --region CN`,
		Args:    args("NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			cal, err := c.client().CreateCalendar(cmd.Context(), a[0], region, zone)
			if err != nil {
				return err
			}
			return c.output(cal, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Calendar %d %q (%s, %s), covering %s\n", cal.ID, cal.Name, cal.Region, cal.TimeZone, coverageText(cal))
				return err
			})
		},
	}
	cmd.Flags().StringVar(&region, "region", "", "built-in region: CN, US, GB-ENG or DE (see: warroom calendar regions)")
	cmd.Flags().StringVar(&zone, "tz", "", "time zone; default the region's")
	return cmd
}

func (c *cli) newCalendarImportCmd() *cobra.Command {
	var format, kind string
	cmd := &cobra.Command{
		Use:   "import CALENDAR FILE",
		Short: "Import holidays and make-up workdays from an ICS or JSON file (admin)",
		Example: `  warroom calendar import China holidays-2028.ics
  warroom calendar import "Shanghai office" offsite.ics --kind off`,
		Args: args("CALENDAR", "FILE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := c.calendarID(cmd, a[0])
			if err != nil {
				return err
			}
			data, err := os.ReadFile(a[1])
			if err != nil {
				return usageErrorf("%v", err)
			}
			if format == "" {
				format = strings.TrimPrefix(strings.ToLower(filepath.Ext(a[1])), ".")
			}
			n, cal, err := c.client().ImportCalendarDays(cmd.Context(), id, format, warroom.CalendarDayKind(kind), string(data))
			if err != nil {
				return err
			}
			return c.output(map[string]any{"imported": n, "calendar": cal}, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Imported %d days into %q; covered: %s\n", n, cal.Name, coverageText(cal))
				return err
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "ics or json; default from the file's extension")
	cmd.Flags().StringVar(&kind, "kind", "", "kind of ICS events that do not say theirs: holiday (default), workday or off")
	return cmd
}

func (c *cli) newCalendarAddDayCmd() *cobra.Command {
	var kind, name string
	cmd := &cobra.Command{
		Use:     "add-day CALENDAR DATE",
		Short:   "Add or replace one day of the calendar's own (admin)",
		Example: `  warroom calendar add-day China 2026-12-24 --kind off --name "Company day off"`,
		Args:    args("CALENDAR", "DATE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := c.calendarID(cmd, a[0])
			if err != nil {
				return err
			}
			cal, err := c.client().AddCalendarDays(cmd.Context(), id, []warroom.CalendarDay{{Date: a[1], Kind: warroom.CalendarDayKind(kind), Name: name}})
			if err != nil {
				return err
			}
			return c.output(cal, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "%s is now a %s on %q\n", a[1], kind, cal.Name)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "off", "holiday, workday (make-up) or off (company day off)")
	cmd.Flags().StringVar(&name, "name", "", "what the day is")
	return cmd
}

func (c *cli) newCalendarRemoveDayCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove-day CALENDAR DATE",
		Short: "Remove one day of the calendar's own (admin)",
		Args:  args("CALENDAR", "DATE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := c.calendarID(cmd, a[0])
			if err != nil {
				return err
			}
			if err := c.client().RemoveCalendarDay(cmd.Context(), id, a[1]); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.stdout, "Removed %s\n", a[1])
			return err
		},
	}
}

func (c *cli) newCalendarDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete CALENDAR",
		Short: "Delete a calendar no monitor or policy follows (admin)",
		Args:  args("CALENDAR"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := c.calendarID(cmd, a[0])
			if err != nil {
				return err
			}
			if err := c.client().DeleteCalendar(cmd.Context(), id); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.stdout, "Calendar %d deleted\n", id)
			return err
		},
	}
}

func (c *cli) newCalendarFreezeCmd() *cobra.Command {
	var p warroom.HolidayFreezePlan
	cmd := &cobra.Command{
		Use:     "freeze CALENDAR",
		Short:   "Freeze changes N working days before every public holiday of a year (admin)",
		Example: `  warroom calendar freeze China --year 2027 --working-days 2 --through-holiday`,
		Args:    args("CALENDAR"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := c.calendarID(cmd, a[0])
			if err != nil {
				return err
			}
			if p.Year == 0 {
				p.Year = c.now().Year()
			}
			fs, err := c.client().CreateHolidayFreezes(cmd.Context(), id, p)
			if err != nil {
				return err
			}
			return c.output(map[string]any{"freeze_windows": fs}, func(out io.Writer) error {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tFROM\tTO\tNAME")
				for _, f := range fs {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", f.ID, f.StartsAt.Local().Format(time.DateTime), f.EndsAt.Local().Format(time.DateTime), f.Name)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().IntVar(&p.Year, "year", 0, "year; default this year")
	cmd.Flags().IntVar(&p.WorkingDaysBefore, "working-days", 2, "working days before each holiday the freeze starts")
	cmd.Flags().BoolVar(&p.ThroughHoliday, "through-holiday", false, "keep the freeze until the holiday ends")
	cmd.Flags().Int64SliceVar(&p.ServiceIDs, "service", nil, "frozen service ID (repeatable); default every service")
	return cmd
}

func (c *cli) newCalendarCoverCmd() *cobra.Command {
	var schedule int64
	var year int
	cmd := &cobra.Command{
		Use:     "cover CALENDAR",
		Short:   "Who is on call through each public holiday of a year",
		Example: `  warroom calendar cover China --schedule 1 --year 2027`,
		Args:    args("CALENDAR"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := c.calendarID(cmd, a[0])
			if err != nil {
				return err
			}
			if schedule <= 0 {
				return usageErrorf("--schedule is required (see: warroom oncall schedule list)")
			}
			hs, err := c.client().FindHolidayCover(cmd.Context(), id, schedule, year)
			if err != nil {
				return err
			}
			return c.output(map[string]any{"holidays": hs}, func(out io.Writer) error {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "HOLIDAY\tDATES\tON CALL\tFROM\tTO")
				for _, h := range hs {
					if len(h.Shifts) == 0 {
						fmt.Fprintf(tw, "%s\t%s to %s\tnobody\t\t\n", h.Name, h.First, h.Last)
					}
					for _, s := range h.Shifts {
						fmt.Fprintf(tw, "%s\t%s to %s\t%s\t%s\t%s\n", h.Name, h.First, h.Last, s.UserName, s.Start.Local().Format(time.DateTime), s.End.Local().Format(time.DateTime))
					}
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().Int64Var(&schedule, "schedule", 0, "schedule ID")
	cmd.Flags().IntVar(&year, "year", 0, "year; default this year")
	return cmd
}
